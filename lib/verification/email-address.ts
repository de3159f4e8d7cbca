import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { enqueueEmail, kickOutbox, prepareEmail, type PreparedEmail } from "@/lib/email";
import { Prisma } from "@/lib/generated/prisma/client";
import { assertVerificationBy, getInstanceSettings, verificationEmailParts } from "@/lib/settings";
import { emitUserUpdated } from "@/lib/webhooks/events";
import {
  assertResendAllowed,
  assertUsable,
  chargeEmailSend,
  checkCode,
  consumeVerification,
  newVerificationSecrets,
  RESEND_COOLDOWN_MS,
  storeVerification,
  VERIFICATION_TTL_MS,
} from "./codes";

/**
 * Verifying an address added to an existing account (S4, S7): the same code +
 * link email; the link lands on the shared confirm page. The account page
 * (profile issue) calls these with the signed-in user's id.
 */

export const emailConfirmUrl = (origin: string, token: string) =>
  `${origin}/sign-in/confirm?token=${encodeURIComponent(token)}`;

export async function sendEmailAddressVerification(
  input: { userId: string; emailAddressId: string },
  context: { issuer: string; now?: Date },
): Promise<{ status: "sent" | "already_verified"; resendAfter: number }> {
  const now = context.now ?? new Date();
  const address = await db.emailAddress.findFirst({ where: { id: input.emailAddressId, userId: input.userId } });
  if (!address) throw new AppError("not_found", "Email address not found.");
  if (address.verified) return { status: "already_verified", resendAfter: 0 };
  await assertResendAllowed({ identifier: address.emailNormalized, purpose: "verify_email" }, now);
  await chargeEmailSend(address.emailNormalized, "verify_email");
  // Code, link and email are made before the transaction: inside it only `tx` may be used (lib/db.ts).
  const secrets = newVerificationSecrets();
  // Code, link or both (S8 verificationEmailContent); whichever is left out is refused when used.
  const parts = verificationEmailParts(await getInstanceSettings());
  const email = await prepareEmail(address.email, {
    template: "verify_email",
    ...(parts.code ? { code: secrets.code } : {}),
    ...(parts.link ? { link: emailConfirmUrl(context.issuer, secrets.linkToken) } : {}),
    expiresInMinutes: VERIFICATION_TTL_MS / 60_000,
  });
  await db.$transaction(async (tx) => {
    await storeVerification(
      tx,
      secrets,
      { purpose: "verify_email", identifier: address.emailNormalized, userId: input.userId },
      now,
    );
    await enqueueEmail(tx, email, now);
  });
  kickOutbox();
  return { status: "sent", resendAfter: RESEND_COOLDOWN_MS / 1000 };
}

/** The code typed on the account page: must belong to this user and address. */
export async function verifyEmailAddressCode(
  input: { userId: string; emailAddressId: string; code: string },
  now = new Date(),
): Promise<void> {
  const address = await db.emailAddress.findFirst({ where: { id: input.emailAddressId, userId: input.userId } });
  if (!address) throw new AppError("not_found", "Email address not found.");
  assertVerificationBy(await getInstanceSettings(), "code");
  const verification = await db.verification.findFirst({
    where: { purpose: "verify_email", identifier: address.emailNormalized, userId: input.userId, attemptId: null },
    orderBy: { createdAt: "desc" },
  });
  if (!verification) throw new AppError("verification_expired", "This code has expired. Request a new one.");
  await checkCode(verification, input.code.trim(), now);
  await db.$transaction(async (tx) => {
    await consumeVerification(tx, verification.id, now);
    await markVerified(tx, address.id, now);
  });
}

/** The link from the email, confirmed by the confirm page's POST (any device: it only marks the address). */
export async function confirmEmailAddressLink(
  verification: {
    id: string;
    identifier: string;
    userId: string | null;
    consumedAt: Date | null;
    expiresAt: Date;
    attempts: number;
    maxAttempts: number;
  },
  now = new Date(),
): Promise<void> {
  assertVerificationBy(await getInstanceSettings(), "link");
  assertUsable(verification, now);
  const address = verification.userId
    ? await db.emailAddress.findFirst({
        where: { emailNormalized: verification.identifier, userId: verification.userId },
      })
    : null;
  if (!address) throw new AppError("verification_expired", "This link is no longer valid.");
  await db.$transaction(async (tx) => {
    await consumeVerification(tx, verification.id, now, { confirmed: true });
    await markVerified(tx, address.id, now);
  });
}

/**
 * Marks the address verified. The partial unique index allows one VERIFIED
 * row per address: if someone else verified it first, this one stays
 * unverified and the caller hears "email_taken".
 */
async function markVerified(tx: Tx, emailAddressId: string, now: Date): Promise<void> {
  let address;
  try {
    address = await tx.emailAddress.update({ where: { id: emailAddressId }, data: { verified: true, verifiedAt: now } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("email_taken", "That email address is already in use by another account.");
    }
    throw error;
  }
  await recordAuditEvent({ type: "email.verified", actorId: address.userId, targetId: emailAddressId }, tx);
  await emitUserUpdated(tx, address.userId, now);
}

/**
 * S4: the old primary address hears about a change of primary. Render the
 * notice with `preparePrimaryEmailChangedNotice` before the transaction, then
 * enqueue it inside the transaction that makes the change.
 */
export function preparePrimaryEmailChangedNotice(input: { oldEmail: string; newEmail: string; issuer: string }) {
  return prepareEmail(input.oldEmail, {
    template: "primary_email_changed",
    newEmail: input.newEmail,
    supportUrl: `${input.issuer}/forgot-password`,
  });
}

export async function notifyPrimaryEmailChanged(tx: Tx, notice: PreparedEmail, now?: Date): Promise<void> {
  await enqueueEmail(tx, notice, now);
}
