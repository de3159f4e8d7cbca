import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { enqueueEmail, kickOutbox, prepareEmail } from "@/lib/email";
import { ensureClient, openSession, type RequestContext } from "@/lib/session";
import { isAdminEmail } from "@/lib/users";
import { assertResendAllowed, issueVerification, RESEND_COOLDOWN_MS, VERIFICATION_TTL_MS } from "@/lib/verification";
import { Prisma } from "@/lib/generated/prisma/client";

/** A sign-up attempt lives this long: long enough for resends. */
export const SIGN_UP_ATTEMPT_TTL_MS = 30 * 60_000;

export type VerificationSent = {
  status: "needs_verification";
  attemptId: string;
  /** Seconds until a resend is allowed. */
  resendAfter: number;
  newClientToken: string | null;
};

export const confirmLinkUrl = (origin: string, token: string) =>
  `${origin}/sign-in/confirm?token=${encodeURIComponent(token)}`;

/**
 * Sign-up step "verification" (S2, S4): records the attempt (with the pending
 * password hash, if any) and emails a code + link. The user, the verified
 * address and the session only appear once the code or link comes back.
 *
 * For an address that already has an account the answer is identical, but
 * the owner gets an "you already have an account" notice instead of a code
 * (no enumeration, S10).
 */
export async function startVerifiedSignUp(
  input: {
    email: string;
    emailNormalized: string;
    password?: { hash: string; cost: number };
    firstName?: string;
    lastName?: string;
    redirectUrl?: string;
    clientToken: string | null;
  },
  context: RequestContext,
): Promise<VerificationSent> {
  const now = context.now ?? new Date();
  await assertResendAllowed({ identifier: input.emailNormalized, purpose: "sign_up" }, now);
  const taken = await db.emailAddress.findUnique({
    where: { emailNormalized: input.emailNormalized },
    select: { id: true },
  });

  const attemptId = newId("signUpAttempt");
  return sendSignUpEmail(
    {
      attemptId,
      to: input.email.trim(),
      emailNormalized: input.emailNormalized,
      taken: Boolean(taken),
      clientToken: input.clientToken,
    },
    context,
    async (tx, clientId) => {
      await tx.signUpAttempt.create({
        data: {
          id: attemptId,
          clientId,
          status: "needs_verification",
          emailAddress: input.emailNormalized,
          // Never keep a password for an address we will not create.
          passwordHash: taken ? null : (input.password?.hash ?? null),
          passwordCost: taken ? null : (input.password?.cost ?? null),
          firstName: input.firstName || null,
          lastName: input.lastName || null,
          redirectUrl: input.redirectUrl,
          expiresAt: new Date(now.getTime() + SIGN_UP_ATTEMPT_TTL_MS),
          createdAt: now,
        },
      });
    },
  );
}

/** Resend for an existing sign-up attempt (same attempt id, so a waiting tab keeps polling it). */
export async function resendSignUpEmail(
  attempt: { id: string; emailAddress: string | null },
  clientToken: string | null,
  context: RequestContext,
): Promise<VerificationSent> {
  const now = context.now ?? new Date();
  await assertResendAllowed({ attemptId: attempt.id }, now);
  const emailNormalized = attempt.emailAddress ?? "";
  const taken = await db.emailAddress.findUnique({ where: { emailNormalized }, select: { id: true } });
  return sendSignUpEmail(
    { attemptId: attempt.id, to: emailNormalized, emailNormalized, taken: Boolean(taken), clientToken },
    context,
    async (tx) => {
      await tx.signUpAttempt.update({
        where: { id: attempt.id },
        data: { expiresAt: new Date(now.getTime() + SIGN_UP_ATTEMPT_TTL_MS) },
      });
    },
  );
}

async function sendSignUpEmail(
  input: { attemptId: string; to: string; emailNormalized: string; taken: boolean; clientToken: string | null },
  context: RequestContext,
  writeAttempt: (tx: Tx, clientId: string) => Promise<void>,
): Promise<VerificationSent> {
  const now = context.now ?? new Date();
  const origin = context.issuer;
  // Rendered inside the transaction because the code and token are created there (milliseconds).
  const newClientToken = await db.$transaction(async (tx) => {
    const { clientId, newClientToken } = await ensureClient(tx, input.clientToken, context.userAgent);
    await writeAttempt(tx, clientId);
    const issued = await issueVerification(
      tx,
      { purpose: "sign_up", identifier: input.emailNormalized, attemptId: input.attemptId },
      now,
    );
    const email = input.taken
      ? await prepareEmail(input.emailNormalized, {
          template: "account_exists",
          signInUrl: `${origin}/sign-in`,
          resetUrl: `${origin}/forgot-password`,
        })
      : await prepareEmail(input.to, {
          template: "sign_up_code",
          code: issued.code,
          link: confirmLinkUrl(origin, issued.linkToken),
          expiresInMinutes: VERIFICATION_TTL_MS / 60_000,
        });
    await enqueueEmail(tx, email, now);
    return newClientToken;
  });
  kickOutbox();
  return {
    status: "needs_verification",
    attemptId: input.attemptId,
    resendAfter: RESEND_COOLDOWN_MS / 1000,
    newClientToken,
  };
}

/**
 * Sign-up step "session" after the code or link came back: user, verified
 * primary address, session and audit event in the caller's transaction.
 * The attempt moves on conditionally, so it completes exactly once.
 */
export async function completeVerifiedSignUp(
  tx: Tx,
  input: { attemptId: string; clientToken: string | null; issuedClientToken?: string | null },
  context: RequestContext,
): Promise<{ userId: string; role: "user" | "admin"; opened: Awaited<ReturnType<typeof openSession>> }> {
  const now = context.now ?? new Date();
  const { count } = await tx.signUpAttempt.updateMany({
    where: { id: input.attemptId, status: "needs_verification" },
    data: { status: "complete" },
  });
  if (count !== 1) throw new AppError("verification_used", "This sign-up has already been completed.");
  const attempt = await tx.signUpAttempt.findUniqueOrThrow({ where: { id: input.attemptId } });
  const emailNormalized = attempt.emailAddress ?? "";
  const role = isAdminEmail(emailNormalized) ? "admin" : "user";
  const userId = newId("user");
  const emailAddressId = newId("identification");
  try {
    await tx.user.create({
      data: {
        id: userId,
        role,
        firstName: attempt.firstName,
        lastName: attempt.lastName,
        passwordHash: attempt.passwordHash,
        passwordCost: attempt.passwordCost,
        passwordChangedAt: attempt.passwordHash ? now : null,
        lastSignInAt: now,
        lastActiveAt: now,
        createdAt: now,
      },
    });
    await tx.emailAddress.create({
      data: { id: emailAddressId, userId, email: emailNormalized, emailNormalized, verified: true, verifiedAt: now },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("email_taken", "That email address is already in use. Try signing in instead.");
    }
    throw error;
  }
  await tx.user.update({ where: { id: userId }, data: { primaryEmailAddressId: emailAddressId } });
  const opened = await openSession(tx, { userId, clientToken: input.clientToken }, context);
  if (input.issuedClientToken) opened.newClientToken = input.issuedClientToken;
  await tx.signUpAttempt.update({
    where: { id: input.attemptId },
    data: { userId, createdSessionId: opened.sessionId, passwordHash: null, passwordCost: null },
  });
  await recordAuditEvent(
    {
      type: "user.created",
      actorId: userId,
      targetId: userId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { method: attempt.passwordHash ? "password" : "email_code", role, emailVerified: true },
    },
    tx,
  );
  return { userId, role, opened };
}
