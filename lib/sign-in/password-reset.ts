import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { enqueueEmail, enqueueNothing, kickOutbox, prepareEmail } from "@/lib/email";
import { assertPasswordPolicy, hashPassword } from "@/lib/password";
import { getInstanceSettings } from "@/lib/settings";
import { ensureClient, issueTokenForSession, type RequestContext, type StartedSession } from "@/lib/session";
import { normalizeEmail } from "@/lib/users";
import {
  assertResendAllowed,
  assertUsable,
  checkCode,
  consumeVerification,
  findByLinkToken,
  issueVerification,
  replaceLinkToken,
  RESEND_COOLDOWN_MS,
  VERIFICATION_TTL_MS,
} from "@/lib/verification";
import { completeFirstFactor } from "./complete";
import { SIGN_IN_ATTEMPT_TTL_MS } from "./email-flow";

/**
 * Forgot password (S3, S4): an emailed code or link proves the address; the
 * new password goes through the S3 policy; the user is then signed in through
 * completeFirstFactor, so a second factor is never bypassed.
 *
 * Steps: send -> verify (code, or the link token) -> complete (new password).
 * A correct code is exchanged for a one-time reset token, so `complete` only
 * ever takes a token and never counts a second try for the same code.
 */

export const resetLinkUrl = (origin: string, token: string) =>
  `${origin}/reset-password?token=${encodeURIComponent(token)}`;

export type ResetSent = { status: "sent"; resetId: string; resendAfter: number };

export async function sendPasswordReset(input: { email: string }, context: RequestContext): Promise<ResetSent> {
  const now = context.now ?? new Date();
  const emailNormalized = normalizeEmail(input.email);
  await assertResendAllowed({ identifier: emailNormalized, purpose: "reset_password" }, now);
  const address = await db.emailAddress.findUnique({ where: { emailNormalized }, select: { userId: true } });
  const resetId = await db.$transaction(async (tx) => {
    const issued = await issueVerification(
      tx,
      { purpose: "reset_password", identifier: emailNormalized, userId: address?.userId ?? null },
      now,
    );
    // Rendered for unknown addresses too, so both answers cost the same; only a known one is sent (S10).
    const email = await prepareEmail(input.email.trim(), {
      template: "password_reset",
      code: issued.code,
      link: resetLinkUrl(context.issuer, issued.linkToken),
      expiresInMinutes: VERIFICATION_TTL_MS / 60_000,
    });
    if (address) await enqueueEmail(tx, email, now);
    else await enqueueNothing(tx);
    return issued.id;
  });
  kickOutbox();
  return { status: "sent", resetId, resendAfter: RESEND_COOLDOWN_MS / 1000 };
}

/** Code -> a one-time reset token; a link token -> checked (not consumed) and echoed back. */
export async function verifyPasswordReset(
  input: { resetId: string; code: string } | { token: string },
  now = new Date(),
): Promise<{ status: "verified"; token: string }> {
  if ("token" in input) {
    const verification = await findByLinkToken(input.token);
    if (!verification || verification.purpose !== "reset_password") {
      throw new AppError("verification_expired", "This reset link is invalid or has expired. Request a new one.");
    }
    assertUsable(verification, now);
    return { status: "verified", token: input.token };
  }
  const verification = await db.verification.findUnique({
    where: { id: input.resetId },
    select: { id: true, purpose: true, userId: true },
  });
  if (!verification || verification.purpose !== "reset_password") {
    throw new AppError("verification_expired", "This code has expired. Request a new one.");
  }
  await checkCode(verification.id, input.code.trim(), now);
  // Unknown address: no email went out, so a "correct" code is a guess. Answer like a wrong one.
  if (!verification.userId)
    throw new AppError("verification_incorrect", "That code is incorrect.", {
      fields: { code: ["That code is incorrect."] },
    });
  return { status: "verified", token: await replaceLinkToken(verification.id) };
}

export type ResetResult =
  { status: "complete"; session: StartedSession } | { status: "needs_second_factor"; attemptId: string };

export async function completePasswordReset(
  input: { token: string; password: string; signOutOtherDevices: boolean; clientToken: string | null },
  context: RequestContext,
): Promise<ResetResult> {
  const now = context.now ?? new Date();
  const verification = await findByLinkToken(input.token);
  if (!verification || verification.purpose !== "reset_password" || !verification.userId) {
    throw new AppError("verification_expired", "This reset link is invalid or has expired. Request a new one.");
  }
  assertUsable(verification, now);
  const user = await db.user.findUniqueOrThrow({ where: { id: verification.userId } });
  const settings = await getInstanceSettings();
  assertPasswordPolicy(input.password, {
    userInputs: [
      verification.identifier,
      verification.identifier.split("@")[0] ?? "",
      user.firstName ?? "",
      user.lastName ?? "",
    ].filter(Boolean),
    minScore: settings.passwordMinScore,
  });
  const { hash, cost } = await hashPassword(input.password);

  const outcome = await db.$transaction(async (tx) => {
    await consumeVerification(tx, verification.id, now);
    await tx.user.update({
      where: { id: user.id },
      // A proven reset also lifts a lockout: the lock guards against password guessing.
      data: {
        passwordHash: hash,
        passwordCost: cost,
        passwordChangedAt: now,
        failedSignInAttempts: 0,
        lockedUntil: null,
      },
    });
    // The code or link reached this inbox: the address is verified.
    await tx.emailAddress.updateMany({
      where: { userId: user.id, emailNormalized: verification.identifier, verified: false },
      data: { verified: true, verifiedAt: now },
    });
    await recordAuditEvent(
      {
        type: "password.reset",
        actorId: user.id,
        targetId: user.id,
        ip: context.ip,
        userAgent: context.userAgent,
        data: { signedOutOtherDevices: input.signOutOtherDevices },
      },
      tx,
    );
    if (input.signOutOtherDevices) {
      await tx.session.updateMany({
        where: { userId: user.id, status: "active" },
        data: { status: "revoked", endedAt: now },
      });
    }
    const { clientId, newClientToken } = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = newId("signInAttempt");
    await tx.signInAttempt.create({
      data: {
        id: attemptId,
        clientId,
        status: "needs_first_factor",
        identifier: verification.identifier,
        userId: user.id,
        expiresAt: new Date(now.getTime() + SIGN_IN_ATTEMPT_TTL_MS),
        createdAt: now,
      },
    });
    return completeFirstFactor(
      tx,
      {
        attemptId,
        user: { ...user, lockedUntil: null },
        email: verification.identifier,
        factor: "reset_password",
        client: { clientId, newClientToken },
      },
      context,
    );
  });
  if (outcome.status === "needs_second_factor") return outcome;
  const session = await issueTokenForSession(outcome.opened, { userId: user.id, role: outcome.role }, context);
  return { status: "complete", session };
}
