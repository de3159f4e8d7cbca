import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { kickOutbox } from "@/lib/email";
import { newId } from "@/lib/ids";
import { requireRecentVerification } from "@/lib/mfa";
import {
  notifyPrimaryEmailChanged,
  preparePrimaryEmailChangedNotice,
  sendEmailAddressVerification,
} from "@/lib/verification";
import { emitUserUpdated } from "@/lib/webhooks/events";
import { normalizeEmail } from "./email";

/**
 * The signed-in user's email addresses (S4, S7): list, add (then verify by
 * the emailed code or link: lib/verification/email-address.ts), set a
 * verified one as primary (the old primary hears about it), remove (never the
 * primary, never the last verified one).
 *
 * Addresses verified by someone else: adding one answers exactly as for a
 * free address (the row is created unverified and the usual code + link goes
 * to that address), so this page tells nobody which addresses have accounts
 * (S10). The row can never become verified: the partial unique index allows
 * one verified row per address, and verifying it answers "already in use",
 * which only the holder of the mailbox (who got the code) can reach.
 */

/** More than enough for anyone; keeps one account from piling up rows. */
export const MAX_EMAIL_ADDRESSES = 10;

export type AccountEmailAddress = {
  id: string;
  email: string;
  verified: boolean;
  primary: boolean;
  createdAt: string;
};

type Actor = { ip: string | null; userAgent: string | null; issuer: string; now?: Date };

export async function listEmailAddresses(userId: string): Promise<AccountEmailAddress[]> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { primaryEmailAddressId: true, emailAddresses: { orderBy: { createdAt: "asc" } } },
  });
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  return user.emailAddresses
    .map((address) => ({
      id: address.id,
      email: address.email,
      verified: address.verified,
      primary: address.id === user.primaryEmailAddressId,
      createdAt: address.createdAt.toISOString(),
    }))
    // The primary first, then verified ones, then the rest; each group in the order added.
    .sort((a, b) => Number(b.primary) - Number(a.primary) || Number(b.verified) - Number(a.verified));
}

/**
 * Adds an address to the account (unverified) and emails it a code + link.
 * Needs a verification within the last 10 minutes (S6 step-up). Adding an
 * address that is already on the account unverified sends a fresh email.
 */
export async function addEmailAddress(
  input: { userId: string; sessionId: string; email: string },
  actor: Actor,
): Promise<{ emailAddress: AccountEmailAddress; resendAfter: number }> {
  const now = actor.now ?? new Date();
  await requireRecentVerification({ sessionId: input.sessionId, userId: input.userId }, now);
  const email = input.email.trim();
  const emailNormalized = normalizeEmail(email);

  const emailAddressId = await db.$transaction(async (tx) => {
    await lockUser(tx, input.userId);
    const own = await tx.emailAddress.findMany({ where: { userId: input.userId }, select: { id: true, emailNormalized: true, verified: true } });
    const existing = own.find((address) => address.emailNormalized === emailNormalized);
    if (existing?.verified) {
      throw new AppError("conflict", "This address is already on your account.", {
        fields: { email: ["This address is already on your account."] },
      });
    }
    if (existing) return existing.id;
    if (own.length >= MAX_EMAIL_ADDRESSES) {
      throw new AppError("conflict", `You can have at most ${MAX_EMAIL_ADDRESSES} email addresses. Remove one first.`);
    }
    const id = newId("identification");
    await tx.emailAddress.create({ data: { id, userId: input.userId, email, emailNormalized, createdAt: now } });
    await recordAuditEvent(
      { type: "email.added", actorId: input.userId, targetId: id, ip: actor.ip, userAgent: actor.userAgent },
      tx,
    );
    await emitUserUpdated(tx, input.userId, now);
    return id;
  });

  // The same email (code + link) and budgets as every other verification (S4, S10). If the
  // send is refused (cooldown, budget) the address stays listed unverified with "Verify".
  const sent = await sendEmailAddressVerification({ userId: input.userId, emailAddressId }, { issuer: actor.issuer, now });
  const emailAddress = (await listEmailAddresses(input.userId)).find((address) => address.id === emailAddressId)!;
  return { emailAddress, resendAfter: sent.resendAfter };
}

/**
 * Makes a verified address the primary one. The old primary address (when it
 * was verified: an unverified one may not even be the user's) gets a notice
 * in the same transaction (S4); the notice is rendered before it.
 */
export async function setPrimaryEmailAddress(
  input: { userId: string; emailAddressId: string },
  actor: Actor,
): Promise<void> {
  const now = actor.now ?? new Date();
  const [user, target] = await Promise.all([
    db.user.findUnique({ where: { id: input.userId }, select: { primaryEmailAddressId: true } }),
    db.emailAddress.findFirst({ where: { id: input.emailAddressId, userId: input.userId } }),
  ]);
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  if (!target) throw new AppError("not_found", "Email address not found.");
  if (!target.verified) throw new AppError("conflict", "Verify this address before making it your primary one.");
  if (user.primaryEmailAddressId === target.id) return;
  const oldPrimary = user.primaryEmailAddressId
    ? await db.emailAddress.findUnique({ where: { id: user.primaryEmailAddressId } })
    : null;
  // Rendered before the transaction: inside it only `tx` may be used (lib/db.ts).
  const notice =
    oldPrimary?.verified && oldPrimary.emailNormalized !== target.emailNormalized
      ? await preparePrimaryEmailChangedNotice({ oldEmail: oldPrimary.email, newEmail: target.email, issuer: actor.issuer })
      : null;

  await db.$transaction(async (tx) => {
    await lockUser(tx, input.userId);
    // Re-read under the lock: nothing may have changed between the reads above and here.
    const stillVerified = await tx.emailAddress.count({ where: { id: target.id, userId: input.userId, verified: true } });
    if (!stillVerified) throw new AppError("not_found", "Email address not found.");
    const { count } = await tx.user.updateMany({
      where: { id: input.userId, primaryEmailAddressId: user.primaryEmailAddressId },
      data: { primaryEmailAddressId: target.id },
    });
    if (count !== 1) throw new AppError("conflict", "Your email addresses changed meanwhile. Reload and try again.");
    if (notice) await notifyPrimaryEmailChanged(tx, notice, now);
    await recordAuditEvent(
      {
        type: "email.primary_changed",
        actorId: input.userId,
        targetId: target.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        data: { from: user.primaryEmailAddressId },
      },
      tx,
    );
    await emitUserUpdated(tx, input.userId, now);
  });
  if (notice) kickOutbox();
}

/** Removes an address: never the primary (set another first), never the last verified one. */
export async function removeEmailAddress(
  input: { userId: string; emailAddressId: string },
  actor: Omit<Actor, "issuer">,
): Promise<void> {
  await db.$transaction(async (tx) => {
    // Two removals at once must not both see "another verified address is left".
    await lockUser(tx, input.userId);
    const address = await tx.emailAddress.findFirst({ where: { id: input.emailAddressId, userId: input.userId } });
    if (!address) throw new AppError("not_found", "Email address not found.");
    const user = await tx.user.findUniqueOrThrow({ where: { id: input.userId }, select: { primaryEmailAddressId: true } });
    if (user.primaryEmailAddressId === address.id) {
      throw new AppError("conflict", "This is your primary address. Make another address primary first.");
    }
    if (address.verified) {
      const verified = await tx.emailAddress.count({ where: { userId: input.userId, verified: true } });
      if (verified <= 1) throw new AppError("conflict", "You can’t remove your only verified email address.");
    }
    await tx.emailAddress.delete({ where: { id: address.id } });
    // Its open code and link stop working with it.
    await tx.verification.updateMany({
      where: { purpose: "verify_email", userId: input.userId, identifier: address.emailNormalized, consumedAt: null },
      data: { expiresAt: actor.now ?? new Date() },
    });
    await recordAuditEvent(
      {
        type: "email.removed",
        actorId: input.userId,
        targetId: address.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        data: { wasVerified: address.verified },
      },
      tx,
    );
    await emitUserUpdated(tx, input.userId, actor.now);
  });
}

/** Serialises changes to one user's addresses (row lock on the user until the transaction ends). */
async function lockUser(tx: Tx, userId: string): Promise<void> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE id = ${userId} FOR UPDATE`;
  if (rows.length === 0) throw new AppError("unauthenticated", "Sign in to continue.");
}
