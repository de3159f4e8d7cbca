import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { decryptSecret } from "@/lib/crypto";
import { enqueueEmail, kickOutbox, prepareEmail } from "@/lib/email";
import { verifyPassword } from "@/lib/password";
import { normalizeEmail } from "@/lib/users/email";
import { enforceRateLimit, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import { enqueueSms, maskPhoneNumber, prepareSms } from "@/lib/sms";
import {
  assertResendAllowed,
  chargeSend,
  checkCode,
  consumeVerification,
  newVerificationSecrets,
  RESEND_COOLDOWN_MS,
  storeVerification,
  VERIFICATION_TTL_MS,
} from "@/lib/verification";
import { consumeBackupCode } from "./backup-codes";
import { checkTotp } from "./totp";
import type { Verifier } from "./recent-verification";
import { proveSecurityKey, securityKeyAuthenticationOptions, spendSecurityKeyUse } from "./security-keys";
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import type { PasskeyContext } from "@/lib/passkeys/webauthn";

/**
 * Step-up (S6): sensitive actions (change password, change or turn off MFA,
 * new backup codes, add an email or phone, delete the account) need a
 * verification within the last 10 minutes in THIS session. Signing in counts;
 * after that the user proves it again with the password or a second factor,
 * and the action they started continues.
 */
export { STEP_UP_WINDOW_MS, requireRecentVerification, type Verifier } from "./recent-verification";
type Actor = { ip: string | null; userAgent: string | null; now?: Date };

/** What the step-up prompt can offer this user. */
export type ReverificationMethods = {
  password: boolean;
  totp: boolean;
  backupCode: boolean;
  sms: { phoneHint: string } | null;
  /** Issue 19: the user's security keys can confirm it (options from `reverificationSecurityKeyOptions`). */
  securityKey: boolean;
  /**
   * A code to the primary address: only for accounts with no password and no
   * second factor (OAuth or emailed-code users), which could prove nothing
   * else. Anyone with a password or a factor proves it with that instead.
   */
  emailCode: { emailHint: string } | null;
};

export async function reverificationMethods(userId: string): Promise<ReverificationMethods> {
  const [user, factors, backupCodes] = await Promise.all([
    db.user.findUniqueOrThrow({
      where: { id: userId },
      select: { passwordHash: true, primaryEmailAddressId: true, emailAddresses: { where: { verified: true }, select: { id: true, email: true } } },
    }),
    db.mfaFactor.findMany({ where: { userId, confirmedAt: { not: null } } }),
    db.backupCode.count({ where: { userId, usedAt: null } }),
  ]);
  const smsFactor = factors.find((factor) => factor.type === "sms");
  const phone = smsFactor?.phoneNumberId ? await db.phoneNumber.findUnique({ where: { id: smsFactor.phoneNumberId } }) : null;
  const primary = user.emailAddresses.find((address) => address.id === user.primaryEmailAddressId);
  const nothingElse = !user.passwordHash && factors.length === 0;
  return {
    password: Boolean(user.passwordHash),
    totp: factors.some((factor) => factor.type === "totp"),
    backupCode: backupCodes > 0,
    sms: phone ? { phoneHint: maskPhoneNumber(phone.phone) } : null,
    securityKey: factors.some((factor) => factor.type === "security_key"),
    emailCode: nothingElse && primary ? { emailHint: maskEmail(primary.email) } : null,
  };
}

/** "a•••@example.com": enough to recognise the address, not to learn it. */
function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  return `${local.charAt(0)}•••@${domain}`;
}

/** The primary address of a user who may re-verify by email (see `emailCode` above), else null. */
async function reverificationEmail(userId: string): Promise<string | null> {
  const methods = await reverificationMethods(userId);
  if (!methods.emailCode) return null;
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { primaryEmailAddressId: true } });
  const address = user.primaryEmailAddressId ? await db.emailAddress.findUnique({ where: { id: user.primaryEmailAddressId } }) : null;
  return address?.verified ? address.email : null;
}

export type Reverification =
  | { method: "password"; password: string }
  | { method: "totp" | "backup_code" | "sms" | "email_code"; code: string }
  | { method: "security_key"; response: AuthenticationResponseJSON };

/** Options for confirming it with a security key: the user's keys, the challenge bound to the user and to step-up. */
export async function reverificationSecurityKeyOptions(
  verifier: Verifier,
  context: PasskeyContext,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  return { options: await securityKeyAuthenticationOptions(verifier.userId, { purpose: "step_up", userId: verifier.userId }, context) };
}

const wrong = (what: string) =>
  new AppError("verification_incorrect", `That ${what} is incorrect.`, {
    fields: { [what === "password" ? "password" : "code"]: [`That ${what} is incorrect.`] },
  });

/** Proves it is still the user; on success the session counts as verified for 10 more minutes. */
export async function reverify(verifier: Verifier, proof: Reverification, actor: Actor & { issuer?: string }): Promise<{ verifiedAt: string }> {
  const now = actor.now ?? new Date();
  // Counts every try: a stolen session must not become a password-guessing oracle.
  await enforceRateLimit(RATE_LIMIT_RULES.reverifyPerUser, verifier.userId, undefined, "Too many tries.");
  const user = await db.user.findUniqueOrThrow({ where: { id: verifier.userId } });

  if (proof.method === "password") {
    if (!user.passwordHash || !(await verifyPassword(proof.password, user.passwordHash))) throw wrong("password");
  } else if (proof.method === "backup_code") {
    if (!(await db.$transaction((tx) => consumeBackupCode(tx, user.id, proof.code, now)))) throw wrong("backup code");
  } else if (proof.method === "totp") {
    const factor = await db.mfaFactor.findFirst({ where: { userId: user.id, type: "totp", confirmedAt: { not: null } } });
    if (!factor?.secretEncrypted) throw new AppError("not_found", "No authenticator app is set up.");
    const step = await checkTotp(decryptSecret(factor.secretEncrypted, "totp-secret"), proof.code.trim(), {
      now,
      afterStep: factor.lastUsedStep === null ? null : Number(factor.lastUsedStep),
    });
    if (step === null) throw wrong("code");
    const { count } = await db.mfaFactor.updateMany({
      where: { id: factor.id, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: BigInt(step) } }] },
      data: { lastUsedStep: BigInt(step) },
    });
    if (count !== 1) throw new AppError("verification_used", "That code was just used. Wait for the next code in your app.");
  } else if (proof.method === "sms") {
    const verification = await db.verification.findFirst({
      where: { purpose: "second_factor", userId: user.id, attemptId: null },
      orderBy: { createdAt: "desc" },
    });
    if (!verification) throw new AppError("verification_expired", "Send a code to your phone first.");
    await checkCode(verification, proof.code.trim(), now);
    await db.$transaction((tx) => consumeVerification(tx, verification.id, now));
  } else if (proof.method === "security_key") {
    if (!actor.issuer) throw new AppError("validation_failed", "A security key needs the instance origin.");
    const context = { ip: actor.ip, userAgent: actor.userAgent, issuer: actor.issuer, now };
    const key = await proveSecurityKey(user.id, proof.response, { purpose: "step_up", userId: user.id }, context);
    if (!key) throw new AppError("verification_incorrect", "That security key could not be verified. Use a key you added to this account.");
    await db.$transaction((tx) => spendSecurityKeyUse(tx, key, now));
  } else if (proof.method === "email_code") {
    const email = await reverificationEmail(user.id);
    if (!email) throw new AppError("forbidden", "Confirm with your password or second factor instead.");
    const verification = await db.verification.findFirst({
      where: { purpose: "verify_email", userId: user.id, attemptId: null, identifier: normalizeEmail(email) },
      orderBy: { createdAt: "desc" },
    });
    if (!verification) throw new AppError("verification_expired", "Send a code to your email first.");
    await checkCode(verification, proof.code.trim(), now);
    await db.$transaction((tx) => consumeVerification(tx, verification.id, now));
  }

  const { count } = await db.session.updateMany({
    where: { id: verifier.sessionId, userId: user.id, status: "active" },
    data: { verifiedAt: now },
  });
  if (count !== 1) throw new AppError("session_invalid", "Your session has ended. Please sign in again.");
  await recordAuditEvent({
    type: "session.reverified",
    actorId: user.id,
    targetId: verifier.sessionId,
    ip: actor.ip,
    userAgent: actor.userAgent,
    data: { method: proof.method },
  });
  return { verifiedAt: now.toISOString() };
}

/** A text-message code for re-verification (not tied to a sign-in attempt). */
export async function sendReverificationSms(verifier: Verifier, actor: Actor): Promise<{ status: "sent"; phoneHint: string; resendAfter: number }> {
  const now = actor.now ?? new Date();
  const factor = await db.mfaFactor.findFirst({ where: { userId: verifier.userId, type: "sms", confirmedAt: { not: null } } });
  const phone = factor?.phoneNumberId ? (await db.phoneNumber.findUnique({ where: { id: factor.phoneNumberId } }))?.phone : null;
  if (!phone) throw new AppError("not_found", "No phone is set up for codes.");
  await assertResendAllowed({ identifier: phone, purpose: "second_factor" }, now);
  await chargeSend(phone, "second_factor", "sms");
  const secrets = newVerificationSecrets();
  const sms = prepareSms(phone, { template: "second_factor_code", code: secrets.code, expiresInMinutes: VERIFICATION_TTL_MS / 60_000 });
  await db.$transaction(async (tx) => {
    await storeVerification(tx, secrets, { purpose: "second_factor", identifier: phone, userId: verifier.userId }, now);
    await enqueueSms(tx, sms, now);
  });
  kickOutbox();
  return { status: "sent", phoneHint: maskPhoneNumber(phone), resendAfter: RESEND_COOLDOWN_MS / 1000 };
}

/** An emailed code for re-verification, for accounts that have nothing else to prove (see `emailCode`). */
export async function sendReverificationEmail(verifier: Verifier, actor: Actor): Promise<{ status: "sent"; emailHint: string; resendAfter: number }> {
  const now = actor.now ?? new Date();
  const email = await reverificationEmail(verifier.userId);
  if (!email) throw new AppError("forbidden", "Confirm with your password or second factor instead.");
  const identifier = normalizeEmail(email);
  await assertResendAllowed({ identifier, purpose: "verify_email" }, now);
  await chargeSend(identifier, "verify_email", "email");
  const secrets = newVerificationSecrets();
  // Rendered before the transaction (one connection: no rendering or settings reads inside it).
  const message = await prepareEmail(email, { template: "reverify_code", code: secrets.code, expiresInMinutes: VERIFICATION_TTL_MS / 60_000 });
  await db.$transaction(async (tx) => {
    await storeVerification(tx, secrets, { purpose: "verify_email", identifier, userId: verifier.userId }, now);
    await enqueueEmail(tx, message, now);
  });
  kickOutbox();
  return { status: "sent", emailHint: maskEmail(email), resendAfter: RESEND_COOLDOWN_MS / 1000 };
}
