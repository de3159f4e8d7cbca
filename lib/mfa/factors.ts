import "server-only";
import QRCode from "qrcode";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { getInstanceSettings } from "@/lib/settings";
import { kickOutbox } from "@/lib/email";
import { enqueueSms, maskPhoneNumber, normalizePhoneNumber, prepareSms } from "@/lib/sms";
import { emitUserUpdated } from "@/lib/webhooks/events";
import {
  assertResendAllowed,
  chargeSend,
  checkCode,
  consumeVerification,
  markPhoneNumberVerified,
  newVerificationSecrets,
  PHONE_IN_USE_MESSAGE,
  RESEND_COOLDOWN_MS,
  storeVerification,
  VERIFICATION_TTL_MS,
} from "@/lib/verification";
import { BACKUP_CODES_LOW, replaceBackupCodes } from "./backup-codes";
import { checkTotp, newTotpSecret, totpUri } from "./totp";

/**
 * Enrolling and managing second factors on the signed-in side (S6). A factor
 * only counts once confirmed with a code; the first confirmed factor turns
 * MFA on and issues the 10 backup codes (shown once). Every change is audited.
 * The route handlers ask for a recent verification (step-up) first.
 */

type Actor = { ip: string | null; userAgent: string | null; now?: Date };

export type MfaStatus = {
  enabled: boolean;
  /** `available`: an admin allows new authenticator apps (S8); one already set up keeps working either way. */
  totp: { available: boolean; enabled: boolean };
  sms: { available: boolean; enabled: boolean; phoneHint: string | null; pendingPhoneHint: string | null };
  backupCodes: { remaining: number; low: boolean };
  /** Security keys (issue 19): `available` as for `totp`; the keys themselves come from `listSecurityKeys`. */
  securityKey: { available: boolean; count: number };
};

const TOTP_NAME = "Authenticator app";

export async function getMfaStatus(userId: string): Promise<MfaStatus> {
  const [settings, factors, remaining, pendingPhone] = await Promise.all([
    getInstanceSettings(),
    db.mfaFactor.findMany({ where: { userId, confirmedAt: { not: null } }, select: { type: true, phoneNumberId: true } }),
    db.backupCode.count({ where: { userId, usedAt: null } }),
    db.phoneNumber.findFirst({ where: { userId, verified: false }, orderBy: { createdAt: "desc" }, select: { phone: true } }),
  ]);
  const sms = factors.find((factor) => factor.type === "sms");
  const smsPhone = sms?.phoneNumberId ? await db.phoneNumber.findUnique({ where: { id: sms.phoneNumberId }, select: { phone: true } }) : null;
  const enabled = factors.length > 0;
  return {
    enabled,
    totp: { available: settings.totpSecondFactor, enabled: factors.some((factor) => factor.type === "totp") },
    sms: {
      available: settings.smsSecondFactor,
      enabled: Boolean(sms),
      phoneHint: smsPhone ? maskPhoneNumber(smsPhone.phone) : null,
      pendingPhoneHint: pendingPhone ? maskPhoneNumber(pendingPhone.phone) : null,
    },
    backupCodes: { remaining: enabled ? remaining : 0, low: enabled && remaining <= BACKUP_CODES_LOW },
    securityKey: { available: settings.securityKeySecondFactor, count: factors.filter((factor) => factor.type === "security_key").length },
  };
}

// --- TOTP ---------------------------------------------------------------------

export type TotpEnrolment = { factorId: string; secret: string; uri: string; qrSvg: string };

/**
 * Step 1: a new secret, as a QR code (SVG made here: no image service sees the
 * secret), the manual key and the otpauth:// link. Nothing is on until confirmed.
 */
export async function startTotpEnrolment(
  userId: string,
  input: { accountName: string; issuer: string },
): Promise<TotpEnrolment> {
  await assertTotpEnrolmentAllowed();
  const existing = await db.mfaFactor.findFirst({ where: { userId, type: "totp", confirmedAt: { not: null } } });
  if (existing) throw new AppError("conflict", "An authenticator app is already set up. Turn it off first to replace it.");
  const secret = newTotpSecret();
  const uri = totpUri({ secret, issuer: input.issuer, accountName: input.accountName });
  const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  const factorId = newId("mfaFactor");
  await db.$transaction(async (tx) => {
    // One enrolment at a time: an earlier unfinished one is replaced.
    await tx.mfaFactor.deleteMany({ where: { userId, type: "totp", confirmedAt: null } });
    await tx.mfaFactor.create({
      data: { id: factorId, userId, type: "totp", name: TOTP_NAME, secretEncrypted: encryptSecret(secret, "totp-secret") },
    });
  });
  return { factorId, secret, uri, qrSvg };
}

/** Step 2: a code from the app proves the secret arrived; MFA is on. Returns backup codes when new. */
export async function confirmTotpEnrolment(
  userId: string,
  input: { factorId: string; code: string },
  actor: Actor,
): Promise<{ backupCodes: string[] | null }> {
  const now = actor.now ?? new Date();
  // Also here: a setup started before an admin turned authenticator apps off does not finish after it.
  await assertTotpEnrolmentAllowed();
  const factor = await db.mfaFactor.findFirst({ where: { id: input.factorId, userId, type: "totp", confirmedAt: null } });
  if (!factor?.secretEncrypted) throw new AppError("not_found", "This setup has expired. Start again.");
  const step = await checkTotp(decryptSecret(factor.secretEncrypted, "totp-secret"), input.code.trim(), { now });
  if (step === null) {
    throw new AppError("verification_incorrect", "That code is incorrect. Check the time on your phone and try the newest code.", {
      fields: { code: ["That code is incorrect. Check the time on your phone and try the newest code."] },
    });
  }
  return db.$transaction(async (tx) => {
    const { count } = await tx.mfaFactor.updateMany({
      where: { id: factor.id, confirmedAt: null },
      data: { confirmedAt: now, lastUsedStep: BigInt(step) },
    });
    if (count !== 1) throw new AppError("verification_used", "This setup was already confirmed.");
    const backupCodes = await turnOnMfa(tx, userId, now);
    await tx.user.update({ where: { id: userId }, data: { totpEnabled: true } });
    await recordAuditEvent({ type: "mfa.enrolled", actorId: userId, targetId: userId, ip: actor.ip, userAgent: actor.userAgent, data: { factor: "totp" } }, tx);
    await emitUserUpdated(tx, userId, now);
    return { backupCodes };
  });
}

/**
 * S8 `totpSecondFactor`: off refuses new authenticator apps. Apps already confirmed keep
 * verifying at sign-in and step-up, and can be removed: turning the setting off locks nobody out.
 */
async function assertTotpEnrolmentAllowed(): Promise<void> {
  if (!(await getInstanceSettings()).totpSecondFactor) {
    throw new AppError("forbidden", "Authenticator apps are not enabled on this instance.");
  }
}

export async function disableTotp(userId: string, actor: Actor): Promise<void> {
  await removeFactors(userId, "totp", actor);
}

// --- SMS ----------------------------------------------------------------------

/** Step 1: the number (E.164) gets a code by text message; it is verified and becomes a factor in step 2. */
export async function startSmsEnrolment(
  userId: string,
  input: { phone: string },
  actor: Actor,
): Promise<{ status: "sent"; phoneHint: string; resendAfter: number }> {
  const now = actor.now ?? new Date();
  if (!(await getInstanceSettings()).smsSecondFactor) throw new AppError("forbidden", "Text-message codes are not enabled on this instance.");
  const phone = normalizePhoneNumber(input.phone);
  // Unique among verified numbers only: someone's unverified row squats nothing.
  const holder = await db.phoneNumber.findFirst({ where: { phone, verified: true }, select: { userId: true, verified: true } });
  if (holder && holder.userId !== userId) {
    throw new AppError("conflict", PHONE_IN_USE_MESSAGE, { fields: { phone: [PHONE_IN_USE_MESSAGE] } });
  }
  await assertResendAllowed({ identifier: phone, purpose: "verify_phone" }, now);
  await chargeSend(phone, "verify_phone", "sms");
  const secrets = newVerificationSecrets();
  const sms = prepareSms(phone, { template: "verify_phone", code: secrets.code, expiresInMinutes: VERIFICATION_TTL_MS / 60_000 });
  await db.$transaction(async (tx) => {
    // One pending number per account; this user's own verified row for it (a sign-in number) is reused.
    await tx.phoneNumber.deleteMany({ where: { userId, verified: false } });
    if (!holder) await tx.phoneNumber.create({ data: { id: newId("identification"), userId, phone } });
    await storeVerification(tx, secrets, { purpose: "verify_phone", identifier: phone, userId }, now);
    await enqueueSms(tx, sms, now);
  });
  kickOutbox();
  return { status: "sent", phoneHint: maskPhoneNumber(phone), resendAfter: RESEND_COOLDOWN_MS / 1000 };
}

/** Step 2: the code from the text message verifies the number; it becomes the SMS factor. */
export async function confirmSmsEnrolment(
  userId: string,
  input: { code: string },
  actor: Actor,
): Promise<{ backupCodes: string[] | null }> {
  const now = actor.now ?? new Date();
  // The newest code sent for this account names the number (the user may hold other, verified ones).
  const verification = await db.verification.findFirst({
    where: { purpose: "verify_phone", userId, attemptId: null },
    orderBy: { createdAt: "desc" },
  });
  const phone = verification
    ? await db.phoneNumber.findFirst({ where: { userId, phone: verification.identifier }, orderBy: { verified: "desc" } })
    : null;
  if (!phone || !verification) throw new AppError("verification_expired", "This code has expired. Send a new one.");
  await checkCode(verification, input.code.trim(), now);
  return db.$transaction(async (tx) => {
    await consumeVerification(tx, verification.id, now);
    if (!phone.verified) await markPhoneNumberVerified(tx, phone.id, now);
    await tx.mfaFactor.deleteMany({ where: { userId, type: "sms" } });
    await tx.mfaFactor.create({
      data: { id: newId("mfaFactor"), userId, type: "sms", name: `Phone ${maskPhoneNumber(phone.phone)}`, phoneNumberId: phone.id, confirmedAt: now },
    });
    const backupCodes = await turnOnMfa(tx, userId, now);
    await recordAuditEvent({ type: "phone.verified", actorId: userId, targetId: phone.id }, tx);
    await recordAuditEvent({ type: "mfa.enrolled", actorId: userId, targetId: userId, ip: actor.ip, userAgent: actor.userAgent, data: { factor: "sms" } }, tx);
    await emitUserUpdated(tx, userId, now);
    return { backupCodes };
  });
}

export async function disableSms(userId: string, actor: Actor): Promise<void> {
  await removeFactors(userId, "sms", actor);
}

// --- backup codes and the whole of MFA -----------------------------------------

/** A new set of 10 codes; the old ones stop working at once. */
export async function regenerateBackupCodes(userId: string, actor: Actor): Promise<{ backupCodes: string[] }> {
  const now = actor.now ?? new Date();
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { mfaEnabled: true } });
    if (!user.mfaEnabled) throw new AppError("conflict", "Backup codes come with two-step verification: turn it on first.");
    const backupCodes = await replaceBackupCodes(tx, userId, now);
    await recordAuditEvent({ type: "backup_codes.regenerated", actorId: userId, targetId: userId, ip: actor.ip, userAgent: actor.userAgent }, tx);
    return { backupCodes };
  });
}

/** Admin hook (S6, S8): every factor and backup code of the user removed; audited with the acting admin. */
export async function resetMfa(userId: string, options: { actorId: string | null; ip?: string | null; userAgent?: string | null }): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
    if (!user) throw new AppError("not_found", "No such user.");
    await tx.mfaFactor.deleteMany({ where: { userId } });
    await tx.backupCode.deleteMany({ where: { userId } });
    await tx.user.update({ where: { id: userId }, data: { mfaEnabled: false, totpEnabled: false, backupCodesEnabled: false } });
    await recordAuditEvent({ type: "mfa.reset", actorId: options.actorId, targetId: userId, ip: options.ip ?? null, userAgent: options.userAgent ?? null }, tx);
    await emitUserUpdated(tx, userId);
  });
}

/** The first confirmed factor: MFA on, and backup codes when the user has none yet. */
export async function turnOnMfa(tx: Tx, userId: string, now: Date): Promise<string[] | null> {
  const user = await tx.user.update({ where: { id: userId }, data: { mfaEnabled: true }, select: { backupCodesEnabled: true } });
  const unused = await tx.backupCode.count({ where: { userId, usedAt: null } });
  return user.backupCodesEnabled && unused > 0 ? null : replaceBackupCodes(tx, userId, now);
}

const NOT_SET_UP = { totp: "No authenticator app is set up.", sms: "No phone is set up for codes.", security_key: "That security key does not exist." } as const;

/**
 * Removes the factors of a type (one security key: `factorId`); the last one turns MFA off
 * and voids the backup codes. Audited, `user.updated` sent.
 */
export async function removeFactors(
  userId: string,
  type: "totp" | "sms" | "security_key",
  actor: Actor,
  factorId?: string,
): Promise<{ mfaStillOn: boolean }> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.mfaFactor.deleteMany({ where: { userId, type, ...(factorId ? { id: factorId } : {}) } });
    if (count === 0) throw new AppError("not_found", NOT_SET_UP[type]);
    const left = await tx.mfaFactor.count({ where: { userId, confirmedAt: { not: null } } });
    if (left === 0) await tx.backupCode.deleteMany({ where: { userId } });
    await tx.user.update({
      where: { id: userId },
      data: {
        mfaEnabled: left > 0,
        ...(type === "totp" ? { totpEnabled: false } : {}),
        ...(left === 0 ? { backupCodesEnabled: false } : {}),
      },
    });
    await recordAuditEvent(
      {
        type: "mfa.disabled",
        actorId: userId,
        targetId: userId,
        ip: actor.ip,
        userAgent: actor.userAgent,
        data: { factor: type, mfaStillOn: left > 0, ...(factorId ? { factorId } : {}) },
      },
      tx,
    );
    await emitUserUpdated(tx, userId, actor.now);
    return { mfaStillOn: left > 0 };
  });
}
