import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { hashPassword, needsRehash, verifyAgainstDummyHash, verifyPassword } from "@/lib/password";
import { issueTokenForSession, openSession, type RequestContext, type StartedSession } from "@/lib/session";
import { isAdminEmail, normalizeEmail } from "@/lib/users";

/** S10: this many failed attempts lock the account for LOCKOUT_DURATION_MS. */
export const LOCKOUT_THRESHOLD = 100;
export const LOCKOUT_DURATION_MS = 60 * 60 * 1000;
/** A sign-in attempt row is kept this long (the MFA step must finish within it). */
const ATTEMPT_TTL_MS = 10 * 60 * 1000;

export const INVALID_CREDENTIALS_MESSAGE = "Email address or password is incorrect.";

export type SignInResult = { status: "complete"; attemptId: string; session: StartedSession };

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
    await recordAuditEvent({ type: "sign_in.failed", ip: context.ip, userAgent: context.userAgent, data: { reason: "unknown_identifier" } });
    throw new AppError("invalid_credentials", INVALID_CREDENTIALS_MESSAGE);
  }

  const passwordMatches = await verifyPassword(input.password, user.passwordHash);
  if (!passwordMatches) {
    await recordFailedAttempt(user.id, context, now);
    throw new AppError("invalid_credentials", INVALID_CREDENTIALS_MESSAGE);
  }
  // Only someone who knows the password learns that the account is locked or banned.
  if (user.lockedUntil && user.lockedUntil > now) {
    const retryAfter = Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000);
    throw new AppError("account_locked", "This account is temporarily locked after too many failed attempts. Try again later.", { retryAfter });
  }
  if (user.banned) throw new AppError("forbidden", "This account has been suspended. Contact the administrator.");

  const rehash = user.passwordCost === null || needsRehash(user.passwordCost) ? await hashPassword(input.password) : null;
  const role = user.role === "admin" || isAdminEmail(emailNormalized) ? "admin" : "user";

  const { attemptId, opened } = await db.$transaction(async (tx) => {
    const opened = await openSession(tx, { userId: user.id, clientToken: input.clientToken }, context);
    const attemptId = newId("signInAttempt");
    await tx.signInAttempt.create({
      data: {
        id: attemptId,
        clientId: opened.clientId,
        status: "complete",
        identifier: emailNormalized,
        userId: user.id,
        firstFactor: "password",
        redirectUrl: input.redirectUrl,
        createdSessionId: opened.sessionId,
        expiresAt: new Date(now.getTime() + ATTEMPT_TTL_MS),
      },
    });
    await tx.user.update({
      where: { id: user.id },
      data: {
        role,
        failedSignInAttempts: 0,
        lastSignInAt: now,
        lastActiveAt: now,
        ...(rehash ? { passwordHash: rehash.hash, passwordCost: rehash.cost } : {}),
      },
    });
    await recordAuditEvent(
      { type: "sign_in.succeeded", actorId: user.id, targetId: opened.sessionId, ip: context.ip, userAgent: context.userAgent, data: { factor: "password" } },
      tx,
    );
    return { attemptId, opened };
  });

  const session = await issueTokenForSession(opened, { userId: user.id, role }, context);
  return { status: "complete", attemptId, session };
}

async function recordFailedAttempt(userId: string, context: RequestContext, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
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
