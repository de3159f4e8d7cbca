import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import { sha256 } from "@/lib/crypto";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { requireRecentVerification } from "@/lib/mfa";
import { emitWebhookEvent } from "@/lib/webhooks/events";
import { normalizeEmail } from "./email";

/** What the user types to confirm: their primary email address, or this word. */
export const DELETE_CONFIRMATION_WORD = "DELETE";

/**
 * Deletes the account (S7) and every personal row, in one transaction:
 *
 * - by the User row's cascades (prisma/schema.prisma): email addresses, phone
 *   numbers, external accounts, sessions (so every device is signed out: a
 *   refresh finds no session, and the last token dies within its 60 s), MFA
 *   factors, backup codes, the avatar; sessions where they were the
 *   impersonating actor keep existing with `actorId` set to null;
 * - rows that name the user or their addresses without a foreign key:
 *   codes/links (Verification), sign-in and sign-up attempts, actor tokens,
 *   and the mail and text messages to their verified addresses and numbers
 *   (the outbox keeps the body of a sent message).
 *
 * The audit log is append-only and keeps what it already holds (ids, IPs and
 * user agents of past events, never an address in clear); `user.deleted`
 * keeps the user id and a SHA-256 of each verified address, enough to answer
 * "was this address's account deleted?" for someone who already knows it.
 *
 * Step-up: always asked (not only with MFA on). Deleting cannot be undone,
 * and a session cookie left on a shared computer must not be enough to
 * destroy the account; within 10 minutes of signing in there is no prompt.
 */
export async function deleteUser(
  input: { userId: string; sessionId: string; confirmation: string },
  actor: { ip: string | null; userAgent: string | null; impersonatedBy?: string | null; now?: Date },
): Promise<void> {
  const now = actor.now ?? new Date();
  if (actor.impersonatedBy) {
    throw new AppError("forbidden", "An account cannot be deleted while impersonating its user.");
  }
  const user = await findUserToErase(db, input.userId);
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  const primary = user.emailAddresses.find((address) => address.id === user.primaryEmailAddressId);
  const typed = input.confirmation.trim();
  const confirmed =
    typed === DELETE_CONFIRMATION_WORD || (primary !== undefined && normalizeEmail(typed) === primary.emailNormalized);
  if (!confirmed) {
    const expected = primary ? `your email address (${primary.email}) or ${DELETE_CONFIRMATION_WORD}` : DELETE_CONFIRMATION_WORD;
    throw new AppError("validation_failed", `Type ${expected} to confirm.`, {
      fields: { confirmation: [`Type ${expected} to confirm.`] },
    });
  }
  await requireRecentVerification({ sessionId: input.sessionId, userId: user.id }, now);

  await db.$transaction(async (tx) => {
    const erased = await eraseUser(tx, user, now);
    await recordAuditEvent(
      {
        type: "user.deleted",
        actorId: user.id,
        targetId: user.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        data: erased,
      },
      tx,
    );
  });
}

/** What erasing a user needs to know about them (read with `db`, or with `tx` inside a transaction). */
export type UserToErase = {
  id: string;
  role: "user" | "admin";
  primaryEmailAddressId: string | null;
  emailAddresses: { id: string; email: string; emailNormalized: string; verified: boolean }[];
  phoneNumbers: { phone: string; verified: boolean }[];
};

export function findUserToErase(client: Tx, userId: string): Promise<UserToErase | null> {
  return client.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      role: true,
      primaryEmailAddressId: true,
      emailAddresses: { select: { id: true, email: true, emailNormalized: true, verified: true } },
      phoneNumbers: { select: { phone: true, verified: true } },
    },
  });
}

/**
 * The data removal of an account deletion (see `deleteUser`), in the caller's
 * transaction: the user's own deletion and an admin's (lib/admin) remove the
 * same rows. Returns what the `user.deleted` audit event keeps.
 */
export async function eraseUser(
  tx: Tx,
  user: UserToErase,
  now: Date,
): Promise<{ emailSha256: string[]; endedSessions: number }> {
  const verifiedEmails = user.emailAddresses.filter((address) => address.verified);
  const allIdentifiers = [
    ...user.emailAddresses.map((address) => address.emailNormalized),
    ...user.phoneNumbers.map((phone) => phone.phone),
  ];
  // Only verified addresses are surely theirs: mail to an address they merely typed may be someone else's.
  const ownRecipients = [
    ...verifiedEmails.flatMap((address) => [address.email, address.emailNormalized]),
    ...user.phoneNumbers.filter((phone) => phone.verified).map((phone) => phone.phone),
  ];
  const sessions = await tx.session.count({ where: { userId: user.id, status: "active", expiresAt: { gt: now } } });
  await tx.verification.deleteMany({
    where: { OR: [{ userId: user.id }, { identifier: { in: verifiedEmails.map((address) => address.emailNormalized) } }] },
  });
  await tx.signInAttempt.deleteMany({ where: { OR: [{ userId: user.id }, { identifier: { in: allIdentifiers } }] } });
  await tx.signUpAttempt.deleteMany({
    where: { OR: [{ userId: user.id }, { emailAddress: { in: verifiedEmails.map((address) => address.emailNormalized) } }] },
  });
  await tx.actorToken.deleteMany({ where: { userId: user.id } });
  if (ownRecipients.length > 0) {
    await tx.outboxMessage.deleteMany({ where: { to: { in: ownRecipients, mode: "insensitive" } } });
  }
  // A browser whose active session was this user's falls back to none (its other accounts stay signed in).
  const sessionIds = (await tx.session.findMany({ where: { userId: user.id }, select: { id: true } })).map((row) => row.id);
  await tx.client.updateMany({ where: { lastActiveSessionId: { in: sessionIds } }, data: { lastActiveSessionId: null } });
  await tx.user.delete({ where: { id: user.id } });
  await emitWebhookEvent(tx, "user.deleted", { id: user.id, object: "user", deleted: true }, now);
  return { emailSha256: verifiedEmails.map((address) => sha256(address.emailNormalized)), endedSessions: sessions };
}
