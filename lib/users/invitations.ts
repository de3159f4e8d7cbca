import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { randomToken, sha256 } from "@/lib/crypto";
import { recordAuditEvent } from "@/lib/audit";
import { enqueueEmail, kickOutbox, prepareEmail } from "@/lib/email";
import { getInstanceSettings, matchesAccessList } from "@/lib/settings";
import { normalizeEmail } from "./email";
import { findAccountByEmail } from "./queries";
import type { InvitationCheck } from "./sign-up-policy";

/**
 * Invitations (S8, sign-up mode "invitation"): an admin invites an address;
 * the email carries a link to /sign-up?invitation=<token> (256-bit token,
 * stored only as its SHA-256 hash). A sign-up for exactly that address with
 * that token passes the sign-up policy, and `createUser` marks the
 * invitation accepted in the transaction that makes the account: once.
 * Valid 7 days unless revoked; inviting an address again replaces its
 * pending invitation (the old link stops working).
 */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60_000;

export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

export type InvitationSummary = {
  id: string;
  email: string;
  status: InvitationStatus;
  invitedById: string | null;
  expiresAt: string;
  acceptedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
};

type InvitationRow = {
  id: string;
  email: string;
  emailNormalized: string;
  invitedById: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
};

type Actor = { actorId: string; ip: string | null; userAgent: string | null; now?: Date };

export const invitationUrl = (origin: string, token: string) => `${origin}/sign-up?invitation=${encodeURIComponent(token)}`;

function statusOf(row: Pick<InvitationRow, "expiresAt" | "acceptedAt" | "revokedAt">, now: Date): InvitationStatus {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  return row.expiresAt <= now ? "expired" : "pending";
}

function summary(row: InvitationRow, now: Date): InvitationSummary {
  return {
    id: row.id,
    email: row.email,
    status: statusOf(row, now),
    invitedById: row.invitedById,
    expiresAt: row.expiresAt.toISOString(),
    acceptedAt: row.acceptedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Creates an invitation and queues its email (rendered before the transaction, sent through the outbox). */
export async function createInvitation(input: { email: string }, actor: Actor & { issuer: string }): Promise<InvitationSummary> {
  const now = actor.now ?? new Date();
  const email = input.email.trim();
  const emailNormalized = normalizeEmail(email);
  const settings = await getInstanceSettings();
  if (matchesAccessList(emailNormalized, settings.blocklist)) {
    const message = "This address is on the blocklist. Remove it (or its domain) from the blocklist first.";
    throw new AppError("validation_failed", message, { fields: { email: [message] } });
  }
  if (await findAccountByEmail(emailNormalized, { allowUnverifiedPrimary: true })) {
    const message = "There is already an account with this email address.";
    throw new AppError("email_taken", message, { fields: { email: [message] } });
  }
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  const prepared = await prepareEmail(email, {
    template: "invitation",
    link: invitationUrl(actor.issuer, token),
    expiresInDays: INVITATION_TTL_MS / (24 * 60 * 60_000),
  });
  const row = await db.$transaction(async (tx) => {
    // One live invitation per address: inviting again replaces the pending one.
    const { count: replaced } = await tx.invitation.updateMany({
      where: { emailNormalized, acceptedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { revokedAt: now },
    });
    const row = await tx.invitation.create({
      data: {
        id: newId("invitation"),
        email,
        emailNormalized,
        tokenHash: sha256(token),
        invitedById: actor.actorId,
        expiresAt,
        createdAt: now,
      },
    });
    await enqueueEmail(tx, prepared, now);
    await recordAuditEvent(
      {
        type: "invitation.created",
        actorId: actor.actorId,
        targetId: row.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        data: { email: emailNormalized, expiresAt: expiresAt.toISOString(), replaced },
      },
      tx,
    );
    return row;
  });
  kickOutbox();
  return summary(row, now);
}

/** The newest invitations first (the admin list); at most `limit`. */
export async function listInvitations(options: { limit?: number; now?: Date } = {}): Promise<InvitationSummary[]> {
  const now = options.now ?? new Date();
  const rows = await db.invitation.findMany({ orderBy: { createdAt: "desc" }, take: Math.min(Math.max(options.limit ?? 100, 1), 500) });
  return rows.map((row) => summary(row, now));
}

/** Revokes a pending invitation: its link stops working. Revoking it again changes nothing. */
export async function revokeInvitation(id: string, actor: Actor): Promise<InvitationSummary> {
  const now = actor.now ?? new Date();
  return db.$transaction(async (tx) => {
    const row = await tx.invitation.findUnique({ where: { id } });
    if (!row) throw new AppError("not_found", "This invitation does not exist.");
    if (row.acceptedAt) throw new AppError("conflict", "This invitation was already accepted; the account exists. Manage it from Users.");
    if (row.revokedAt) return summary(row, now);
    const { count } = await tx.invitation.updateMany({ where: { id, acceptedAt: null, revokedAt: null }, data: { revokedAt: now } });
    // Accepted in between: the sign-up won.
    if (count !== 1) throw new AppError("conflict", "This invitation was just accepted.");
    await recordAuditEvent(
      {
        type: "invitation.revoked",
        actorId: actor.actorId,
        targetId: id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        data: { email: row.emailNormalized },
      },
      tx,
    );
    return summary({ ...row, revokedAt: now }, now);
  });
}

export type InvitationInspection = { state: "valid"; email: string; expiresAt: string } | { state: Exclude<InvitationStatus, "pending"> | "invalid" };

/** What the sign-up page shows for `?invitation=<token>` (nothing is consumed by looking). */
export async function inspectInvitation(token: string, now = new Date()): Promise<InvitationInspection> {
  const row = token ? await db.invitation.findUnique({ where: { tokenHash: sha256(token) } }) : null;
  if (!row) return { state: "invalid" };
  const status = statusOf(row, now);
  return status === "pending" ? { state: "valid", email: row.email, expiresAt: row.expiresAt.toISOString() } : { state: status };
}

const PROBLEMS: Record<Exclude<InvitationStatus, "pending"> | "invalid" | "other_email", string> = {
  invalid: "This invitation link is not valid. Ask an administrator for a new one.",
  expired: "This invitation has expired. Ask an administrator for a new one.",
  revoked: "This invitation was withdrawn. Ask an administrator for access.",
  accepted: "This invitation has already been used. Sign in instead.",
  other_email: "This invitation is for another email address. Sign up with the address it was sent to.",
};

function check(row: InvitationRow | null, emailNormalized: string, now: Date): InvitationCheck {
  if (!row) return { problem: PROBLEMS.invalid };
  const status = statusOf(row, now);
  if (status !== "pending") return { problem: PROBLEMS[status] };
  if (row.emailNormalized !== emailNormalized) return { problem: PROBLEMS.other_email };
  return { id: row.id, emailNormalized: row.emailNormalized };
}

/** At the start of a sign-up: the invitation token it carries, checked against the address (null: none given). */
export async function checkInvitationToken(token: string | null | undefined, emailNormalized: string, now = new Date()): Promise<InvitationCheck> {
  if (!token) return null;
  return check(await db.invitation.findUnique({ where: { tokenHash: sha256(token) } }), emailNormalized, now);
}

/** In `createUser`'s transaction: the invitation the sign-up attempt recorded, checked again. */
export async function checkInvitationById(tx: Tx, id: string | null | undefined, emailNormalized: string, now: Date): Promise<InvitationCheck> {
  if (!id) return null;
  return check(await tx.invitation.findUnique({ where: { id } }), emailNormalized, now);
}

/**
 * Marks the invitation accepted by the new user, once: a conditional update,
 * so of two sign-ups racing with one invitation only one accepts it.
 */
export async function acceptInvitation(
  tx: Tx,
  input: { invitationId: string; userId: string; now: Date },
  context: { ip: string | null; userAgent: string | null },
): Promise<boolean> {
  const { count } = await tx.invitation.updateMany({
    where: { id: input.invitationId, acceptedAt: null, revokedAt: null, expiresAt: { gt: input.now } },
    data: { acceptedAt: input.now },
  });
  if (count !== 1) return false;
  await recordAuditEvent(
    {
      type: "invitation.accepted",
      actorId: input.userId,
      targetId: input.invitationId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: {},
    },
    tx,
  );
  return true;
}
