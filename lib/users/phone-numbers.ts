import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { kickOutbox } from "@/lib/email";
import { newId } from "@/lib/ids";
import { enforceRateLimit, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import { requireRecentVerification } from "@/lib/mfa";
import { getInstanceSettings } from "@/lib/settings";
import { enqueueSms, normalizePhoneNumber, prepareSms } from "@/lib/sms";
import {
  assertResendAllowed,
  chargeSend,
  checkCode,
  consumeVerification,
  markPhoneNumberVerified,
  newVerificationSecrets,
  RESEND_COOLDOWN_MS,
  storeVerification,
  VERIFICATION_TTL_MS,
} from "@/lib/verification";
import { emitUserUpdated } from "@/lib/webhooks/events";

/**
 * The signed-in user's phone numbers as sign-in identifiers (issue 19, S7):
 * list, add (then verify by the texted code), make primary, remove (never the
 * last way in, never the number of the SMS second factor). Like email
 * addresses, a number is unique among VERIFIED rows only: adding one someone
 * else verified answers as for a free number (the code goes to that phone),
 * and only its holder can reach "already in use" by typing the code (S10).
 */

export const MAX_PHONE_NUMBERS = 5;

export const PHONE_NUMBERS_OFF_MESSAGE = "Phone numbers are not enabled on this instance.";

export type AccountPhoneNumber = {
  id: string;
  /** E.164. */
  phone: string;
  verified: boolean;
  primary: boolean;
  /** It receives the SMS second factor (S6): turn that off before removing it. */
  secondFactor: boolean;
  createdAt: string;
};

type Actor = { ip: string | null; userAgent: string | null; now?: Date };

/** The account that signs in with this number (E.164): the one that VERIFIED it. */
export async function findAccountByPhone(phone: string) {
  const row = await db.phoneNumber.findFirst({ where: { phone, verified: true }, include: { user: true } });
  return row ? { phoneNumber: { id: row.id }, user: row.user } : null;
}

export async function listPhoneNumbers(userId: string): Promise<AccountPhoneNumber[]> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: {
      primaryPhoneNumberId: true,
      phoneNumbers: { orderBy: { createdAt: "asc" } },
      mfaFactors: { where: { type: "sms", confirmedAt: { not: null } }, select: { phoneNumberId: true } },
    },
  });
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  const factorPhones = new Set(user.mfaFactors.map((factor) => factor.phoneNumberId));
  return user.phoneNumbers
    .map((row) => ({
      id: row.id,
      phone: row.phone,
      verified: row.verified,
      primary: row.id === user.primaryPhoneNumberId,
      secondFactor: factorPhones.has(row.id),
      createdAt: row.createdAt.toISOString(),
    }))
    .sort((a, b) => Number(b.primary) - Number(a.primary) || Number(b.verified) - Number(a.verified));
}

/**
 * Adds a number (unverified) and texts it a code. Needs phone numbers on
 * (setting `identifiers.phone`) and a verification within the last 10 minutes
 * (S6 step-up: a new way to sign in is a sensitive change).
 */
export async function addPhoneNumber(
  input: { userId: string; sessionId: string; phone: string },
  actor: Actor,
): Promise<{ phoneNumber: AccountPhoneNumber; resendAfter: number }> {
  const now = actor.now ?? new Date();
  if (!(await getInstanceSettings()).identifiers.phone) throw new AppError("forbidden", PHONE_NUMBERS_OFF_MESSAGE);
  const phone = normalizePhoneNumber(input.phone);
  await requireRecentVerification({ sessionId: input.sessionId, userId: input.userId }, now);

  const phoneNumberId = await db.$transaction(async (tx) => {
    await lockUser(tx, input.userId);
    const own = await tx.phoneNumber.findMany({ where: { userId: input.userId }, select: { id: true, phone: true, verified: true } });
    const existing = own.find((row) => row.phone === phone);
    if (existing?.verified) {
      throw new AppError("conflict", "This number is already on your account.", { fields: { phone: ["This number is already on your account."] } });
    }
    if (existing) return existing.id;
    if (own.length >= MAX_PHONE_NUMBERS) {
      throw new AppError("conflict", `You can have at most ${MAX_PHONE_NUMBERS} phone numbers. Remove one first.`);
    }
    const id = newId("identification");
    await tx.phoneNumber.create({ data: { id, userId: input.userId, phone, createdAt: now } });
    await recordAuditEvent({ type: "phone.added", actorId: input.userId, targetId: id, ip: actor.ip, userAgent: actor.userAgent }, tx);
    await emitUserUpdated(tx, input.userId, now);
    return id;
  });

  // If the send is refused (cooldown, budget) the number stays listed unverified with "Verify".
  const sent = await sendPhoneNumberCode({ userId: input.userId, phoneNumberId }, actor);
  const phoneNumber = (await listPhoneNumbers(input.userId)).find((row) => row.id === phoneNumberId)!;
  return { phoneNumber, resendAfter: sent.resendAfter };
}

/** A (new) code by SMS for one of the user's unverified numbers: 30 s cooldown and the number's send budget (S4, S10). */
export async function sendPhoneNumberCode(
  input: { userId: string; phoneNumberId: string },
  actor: Actor,
): Promise<{ status: "sent" | "already_verified"; resendAfter: number }> {
  const now = actor.now ?? new Date();
  const row = await db.phoneNumber.findFirst({ where: { id: input.phoneNumberId, userId: input.userId } });
  if (!row) throw new AppError("not_found", "Phone number not found.");
  if (row.verified) return { status: "already_verified", resendAfter: 0 };
  await assertResendAllowed({ identifier: row.phone, purpose: "verify_phone" }, now);
  await chargeSend(row.phone, "verify_phone", "sms");
  // Texts cost money: they also count per IP (SMS pumping, lib/ratelimit/rules.ts).
  if (actor.ip) await enforceRateLimit(RATE_LIMIT_RULES.smsSendPerIp, actor.ip, undefined, "Too many text messages from this network.");
  const secrets = newVerificationSecrets();
  const sms = prepareSms(row.phone, { template: "verify_phone", code: secrets.code, expiresInMinutes: VERIFICATION_TTL_MS / 60_000 });
  await db.$transaction(async (tx) => {
    await storeVerification(tx, secrets, { purpose: "verify_phone", identifier: row.phone, userId: input.userId }, now);
    await enqueueSms(tx, sms, now);
  });
  kickOutbox();
  return { status: "sent", resendAfter: RESEND_COOLDOWN_MS / 1000 };
}

/** The code typed on the account page verifies the number; the first verified number becomes the primary one. */
export async function verifyPhoneNumber(
  input: { userId: string; phoneNumberId: string; code: string },
  actor: Actor,
): Promise<AccountPhoneNumber> {
  const now = actor.now ?? new Date();
  const row = await db.phoneNumber.findFirst({ where: { id: input.phoneNumberId, userId: input.userId } });
  if (!row) throw new AppError("not_found", "Phone number not found.");
  if (row.verified) throw new AppError("verification_used", "This number is already verified.");
  const verification = await db.verification.findFirst({
    where: { purpose: "verify_phone", identifier: row.phone, userId: input.userId, attemptId: null },
    orderBy: { createdAt: "desc" },
  });
  if (!verification) throw new AppError("verification_expired", "This code has expired. Send a new one.");
  await checkCode(verification, input.code.trim(), now);
  await db.$transaction(async (tx) => {
    await lockUser(tx, input.userId);
    await consumeVerification(tx, verification.id, now);
    await markPhoneNumberVerified(tx, row.id, now);
    await tx.user.updateMany({ where: { id: input.userId, primaryPhoneNumberId: null }, data: { primaryPhoneNumberId: row.id } });
    await recordAuditEvent({ type: "phone.verified", actorId: input.userId, targetId: row.id, ip: actor.ip, userAgent: actor.userAgent }, tx);
    await emitUserUpdated(tx, input.userId, now);
  });
  return (await listPhoneNumbers(input.userId)).find((phone) => phone.id === row.id)!;
}

/** Makes a verified number the primary one (the number shown for the account). */
export async function setPrimaryPhoneNumber(input: { userId: string; phoneNumberId: string }, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    await lockUser(tx, input.userId);
    const row = await tx.phoneNumber.findFirst({ where: { id: input.phoneNumberId, userId: input.userId } });
    if (!row) throw new AppError("not_found", "Phone number not found.");
    if (!row.verified) throw new AppError("conflict", "Verify this number before making it your primary one.");
    const user = await tx.user.update({ where: { id: input.userId }, data: { primaryPhoneNumberId: row.id }, select: { id: true } });
    await recordAuditEvent({ type: "phone.primary_changed", actorId: user.id, targetId: row.id, ip: actor.ip, userAgent: actor.userAgent }, tx);
    await emitUserUpdated(tx, input.userId, actor.now);
  });
}

export const LAST_WAY_IN_MESSAGE =
  "This number is your only way to sign in. Add and verify an email address or another phone number first.";

/**
 * Removes a number: never the one the SMS second factor texts (turn that off
 * first), never the last way in (S5, S7): another verified number, a verified
 * (or primary) email address, a connected provider or a passkey must remain.
 */
export async function removePhoneNumber(input: { userId: string; phoneNumberId: string }, actor: Actor): Promise<void> {
  const now = actor.now ?? new Date();
  await db.$transaction(async (tx) => {
    // Two removals at once must not both see "another way in is left".
    await lockUser(tx, input.userId);
    const row = await tx.phoneNumber.findFirst({ where: { id: input.phoneNumberId, userId: input.userId } });
    if (!row) throw new AppError("not_found", "Phone number not found.");
    const factor = await tx.mfaFactor.count({ where: { userId: input.userId, type: "sms", phoneNumberId: row.id } });
    if (factor > 0) {
      throw new AppError("conflict", "This number receives your two-step verification codes. Turn text-message codes off first.");
    }
    if (row.verified && !(await hasAnotherWayIn(tx, input.userId, row.id))) throw new AppError("conflict", LAST_WAY_IN_MESSAGE);
    const user = await tx.user.findUniqueOrThrow({ where: { id: input.userId }, select: { primaryPhoneNumberId: true } });
    if (user.primaryPhoneNumberId === row.id) {
      // The next verified number (oldest first) takes over as primary, or none.
      const next = await tx.phoneNumber.findFirst({
        where: { userId: input.userId, verified: true, id: { not: row.id } },
        orderBy: { createdAt: "asc" },
        select: { id: true },
      });
      await tx.user.update({ where: { id: input.userId }, data: { primaryPhoneNumberId: next?.id ?? null } });
    }
    await tx.phoneNumber.delete({ where: { id: row.id } });
    // Its open code stops working with it.
    await tx.verification.updateMany({
      where: { purpose: "verify_phone", userId: input.userId, identifier: row.phone, consumedAt: null },
      data: { expiresAt: now },
    });
    await recordAuditEvent(
      { type: "phone.removed", actorId: input.userId, targetId: row.id, ip: actor.ip, userAgent: actor.userAgent, data: { wasVerified: row.verified } },
      tx,
    );
    await emitUserUpdated(tx, input.userId, now);
  });
}

/**
 * The rule of lib/passkeys `hasOtherWayToSignIn`, from the number's side (that module
 * depends on lib/users): another verified number, a verified or primary address (typed
 * with a password or for an emailed code), a connected provider or a passkey.
 */
async function hasAnotherWayIn(tx: Tx, userId: string, exceptPhoneNumberId: string): Promise<boolean> {
  const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { primaryEmailAddressId: true } });
  const [phones, emails, external, passkeys] = await Promise.all([
    tx.phoneNumber.count({ where: { userId, verified: true, id: { not: exceptPhoneNumberId } } }),
    tx.emailAddress.count({
      where: { userId, OR: [{ verified: true }, ...(user.primaryEmailAddressId ? [{ id: user.primaryEmailAddressId }] : [])] },
    }),
    tx.externalAccount.count({ where: { userId } }),
    tx.passkey.count({ where: { userId } }),
  ]);
  return phones + emails + external + passkeys > 0;
}

/** Serialises changes to one user's numbers (row lock on the user until the transaction ends). */
async function lockUser(tx: Tx, userId: string): Promise<void> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
  if (rows.length === 0) throw new AppError("unauthenticated", "Sign in to continue.");
}
