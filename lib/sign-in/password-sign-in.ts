import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { hashPassword, needsRehash, verifyAgainstDummyHash, verifyPassword } from "@/lib/password";
import { ensureClient, issueTokenForSession, type RequestContext, type StartedSession } from "@/lib/session";
import { normalizeEmail } from "@/lib/users";
import { completeFirstFactor } from "./complete";

/** S10: this many failed attempts lock the account for LOCKOUT_DURATION_MS. */
export const LOCKOUT_THRESHOLD = 100;
export const LOCKOUT_DURATION_MS = 60 * 60 * 1000;
/** A sign-in attempt row is kept this long (the MFA step must finish within it). */
const ATTEMPT_TTL_MS = 10 * 60 * 1000;

export const INVALID_CREDENTIALS_MESSAGE = "Email address or password is incorrect.";

export type SignInResult =
  | { status: "complete"; attemptId: string; session: StartedSession }
  | { status: "needs_second_factor"; attemptId: string };

/**
 * Password sign-in as a step of a sign-in attempt (S2): identifier -> first
 * factor -> (second factor, once MFA lands) -> session. Unknown email and
 * wrong password give the same error after the same bcrypt work (S3, S10).
 */
export async function signInWithPassword(
  input: { email: string; password: string; clientToken: string | null; redirectUrl?: string },
  context: RequestContext,
): Promise<SignInResult> {
  const now = context.now ?? new Date();
  const emailNormalized = normalizeEmail(input.email);
  const address = await db.emailAddress.findUnique({ where: { emailNormalized }, include: { user: true } });
  const user = address?.user;

  if (!user?.passwordHash) {
    await verifyAgainstDummyHash(input.password);
    await recordFailedAttempt(null, context, now);
    throw new AppError("invalid_credentials", INVALID_CREDENTIALS_MESSAGE);
  }

  const passwordMatches = await verifyPassword(input.password, user.passwordHash);
  if (!passwordMatches) {
    await recordFailedAttempt(user.id, context, now);
    throw new AppError("invalid_credentials", INVALID_CREDENTIALS_MESSAGE);
  }
  const rehash = user.passwordCost === null || needsRehash(user.passwordCost) ? await hashPassword(input.password) : null;

  const outcome = await db.$transaction(async (tx) => {
    const { clientId, newClientToken } = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = newId("signInAttempt");
    await tx.signInAttempt.create({
      data: {
        id: attemptId,
        clientId,
        status: "needs_first_factor",
        identifier: emailNormalized,
        userId: user.id,
        redirectUrl: input.redirectUrl,
        expiresAt: new Date(now.getTime() + ATTEMPT_TTL_MS),
      },
    });
    // Locked / banned are checked in completeFirstFactor: only someone who knows the password learns them.
    const outcome = await completeFirstFactor(
      tx,
      {
        attemptId,
        user,
        email: emailNormalized,
        factor: "password",
        client: { clientId, newClientToken },
      },
      context,
    );
    if (rehash) await tx.user.update({ where: { id: user.id }, data: { passwordHash: rehash.hash, passwordCost: rehash.cost } });
    return outcome;
  });

  if (outcome.status !== "complete") return outcome;
  // The address used to sign in is usually the primary one: then its verified flag is the claim, no extra query.
  const emailVerified = address!.id === user.primaryEmailAddressId ? address!.verified : undefined;
  const session = await issueTokenForSession(outcome.opened, { userId: user.id, role: outcome.role, emailVerified }, context);
  return { status: "complete", attemptId: outcome.attemptId, session };
}

/**
 * Counts a failed password (and locks at the threshold). For an unknown
 * address (`userId` null) it runs the same transaction shape against no row,
 * so a wrong password and an unknown address take the same time (S10).
 */
async function recordFailedAttempt(userId: string | null, context: RequestContext, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!userId) {
      await tx.user.updateMany({ where: { id: newId("user") }, data: { failedSignInAttempts: { increment: 1 } } });
      await recordAuditEvent({ type: "sign_in.failed", ip: context.ip, userAgent: context.userAgent, data: { reason: "unknown_identifier" } }, tx);
      return;
    }
    const updated = await tx.user.update({
      where: { id: userId },
      data: { failedSignInAttempts: { increment: 1 } },
      select: { failedSignInAttempts: true },
    });
    await recordAuditEvent({ type: "sign_in.failed", targetId: userId, ip: context.ip, userAgent: context.userAgent, data: { reason: "wrong_password" } }, tx);
    if (updated.failedSignInAttempts >= LOCKOUT_THRESHOLD) {
      await tx.user.update({
        where: { id: userId },
        data: { lockedUntil: new Date(now.getTime() + LOCKOUT_DURATION_MS), failedSignInAttempts: 0 },
      });
      await recordAuditEvent({ type: "user.locked", targetId: userId, ip: context.ip, data: { failedAttempts: updated.failedSignInAttempts } }, tx);
    }
  });
}
