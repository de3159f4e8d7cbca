import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import { requireHumanIfRisky, type HumanProof } from "@/lib/bot-protection";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enqueueEmail, enqueueNothing, kickOutbox, prepareEmail } from "@/lib/email";
import { assertPasswordPolicy, hashPassword } from "@/lib/password";
import { getInstanceSettings } from "@/lib/settings";
import { ensureClient, isKnownDeviceOf, issueTokenForSession, readKnownDevice, type RequestContext, type StartedSession } from "@/lib/session";
import { assertSignInAllowed, findAccountByEmail, normalizeEmail } from "@/lib/users";
import {
  assertResendAllowed,
  assertUsable,
  chargeEmailSend,
  checkCode,
  consumeVerification,
  findByLinkToken,
  newVerificationSecrets,
  replaceLinkToken,
  RESEND_COOLDOWN_MS,
  storeVerification,
  VERIFICATION_TTL_MS,
  verificationState,
  type VerificationState,
} from "@/lib/verification";
import { secondFactorMethods, type SecondFactorMethods } from "@/lib/mfa";
import { createSignInAttempt, finishSignIn, PASSWORD_ATTEMPT_TTL_MS } from "./attempts";
import { emitSessionEvents, emitUserUpdated } from "@/lib/webhooks/events";
import { assertSignInMethodEnabled } from "./methods";

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

export async function sendPasswordReset(input: { email: string } & HumanProof, context: RequestContext): Promise<ResetSent> {
  const now = context.now ?? new Date();
  const emailNormalized = normalizeEmail(input.email);
  // With password sign-in off there is no password to reset; a blocklisted address gets nothing (S8).
  const settings = await getInstanceSettings();
  assertSignInMethodEnabled(settings, "password");
  assertSignInAllowed(emailNormalized, settings);
  // An unverified primary address (verification at sign-up off) may reset: the code proves it, and verifies it.
  const account = await findAccountByEmail(emailNormalized, { allowUnverifiedPrimary: true });
  // Bot protection (S10): near the send limits, a stranger meets a challenge; the owner's device does not.
  const knownDevice = isKnownDeviceOf(readKnownDevice(context.deviceToken), account?.user.id);
  // Keyed as the send is counted (chargeEmailSend: purpose and address).
  await requireHumanIfRisky(
    input,
    { action: "password_reset", identifierKey: `reset_password:${emailNormalized}`, knownDevice, settings },
    context,
  );
  await assertResendAllowed({ identifier: emailNormalized, purpose: "reset_password" }, now);
  await chargeEmailSend(emailNormalized, "reset_password");
  const secrets = newVerificationSecrets();
  // Rendered for unknown addresses too, before the transaction, so both answers cost the same; only a known one is sent (S10).
  const email = await prepareEmail(input.email.trim(), {
    template: "password_reset",
    code: secrets.code,
    link: resetLinkUrl(context.issuer, secrets.linkToken),
    expiresInMinutes: VERIFICATION_TTL_MS / 60_000,
  });
  await db.$transaction(async (tx) => {
    await storeVerification(
      tx,
      secrets,
      { purpose: "reset_password", identifier: emailNormalized, userId: account?.user.id ?? null },
      now,
    );
    if (account) await enqueueEmail(tx, email, now);
    else await enqueueNothing(tx);
  });
  kickOutbox();
  return { status: "sent", resetId: secrets.id, resendAfter: RESEND_COOLDOWN_MS / 1000 };
}

/** What the reset page shows before anything is submitted (viewing consumes nothing). */
export async function inspectResetLink(token: string, now = new Date()): Promise<VerificationState | "invalid"> {
  const verification = token ? await findByLinkToken(token) : null;
  if (!verification || verification.purpose !== "reset_password") return "invalid";
  return verificationState(verification, now);
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
    select: { id: true, purpose: true, userId: true, identifier: true },
  });
  if (!verification || verification.purpose !== "reset_password") {
    throw new AppError("verification_expired", "This code has expired. Request a new one.");
  }
  await checkCode(verification, input.code.trim(), now);
  // Unknown address: no email went out, so a "correct" code is a guess. Answer like a wrong one.
  if (!verification.userId)
    throw new AppError("verification_incorrect", "That code is incorrect.", {
      fields: { code: ["That code is incorrect."] },
    });
  return { status: "verified", token: await replaceLinkToken(verification.id) };
}

export type ResetResult =
  | { status: "complete"; session: StartedSession }
  | { status: "needs_second_factor"; attemptId: string; methods: SecondFactorMethods; newClientToken: string | null };

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
  assertSignInMethodEnabled(settings, "password");
  await assertPasswordPolicy(input.password, {
    userInputs: [
      verification.identifier,
      verification.identifier.split("@")[0] ?? "",
      user.firstName ?? "",
      user.lastName ?? "",
    ].filter(Boolean),
    minScore: settings.passwordMinScore,
    minLength: settings.passwordMinLength,
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
    await emitUserUpdated(tx, user.id, now);
    if (input.signOutOtherDevices) {
      await emitSessionEvents(tx, "session.revoked", { userId: user.id, status: "active" }, now);
      await tx.session.updateMany({
        where: { userId: user.id, status: "active" },
        data: { status: "revoked", endedAt: now },
      });
    }
    // Then sign in, through the attempt module like every other strategy: a second factor still applies.
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = await createSignInAttempt(
      tx,
      { client, identifier: verification.identifier, userId: user.id, ttlMs: PASSWORD_ATTEMPT_TTL_MS },
      context,
    );
    const outcome = await finishSignIn(
      tx,
      {
        attempt: { kind: "sign_in", id: attemptId, clientId: client.clientId },
        user,
        factor: "reset_password",
        client,
        // A reset by SMS (phone-flow.ts) proved a phone number, not an address.
        verifiedEmail: verification.identifier.startsWith("+") ? null : verification.identifier,
        settings,
      },
      context,
    );
    return { ...outcome, newClientToken: client.newClientToken };
  });
  if (outcome.status === "needs_second_factor") {
    const methods = await secondFactorMethods(user.id);
    return { status: outcome.status, attemptId: outcome.attemptId, newClientToken: outcome.newClientToken, methods };
  }
  const session = await issueTokenForSession(outcome.opened, { userId: user.id, role: outcome.role }, context);
  return { status: "complete", session };
}
