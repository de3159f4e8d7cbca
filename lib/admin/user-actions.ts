import "server-only";
import { recordAuditEvent, type AuditEventType } from "@/lib/audit";
import { db, type Tx } from "@/lib/db";
import { AppError, type FieldErrors } from "@/lib/errors";
import { resetMfa } from "@/lib/mfa";
import { eraseUser, findUserToErase, metadataObjectSchema, normalizeEmail, type JsonObject } from "@/lib/users";
import { emitSessionEvents, emitUserUpdated } from "@/lib/webhooks/events";
import { METADATA_VERSION_SQL } from "./users";

/**
 * What admins do to a user from the user page (S8). Each action is audited in
 * the same transaction as the change, with the admin as actor and the user as
 * target (session revocations too: the user's trail then shows them).
 */
export type AdminActor = { actorId: string; ip: string | null; userAgent: string | null; now?: Date };

/** As long as the automatic lockout after too many failed sign-ins (lib/sign-in). */
export const DEFAULT_LOCK_MINUTES = 60;
export const MAX_LOCK_MINUTES = 366 * 24 * 60;

const NO_SUCH_USER = "No such user.";

function audit(tx: Tx, actor: AdminActor, type: AuditEventType, userId: string, data: Record<string, unknown>) {
  return recordAuditEvent({ type, actorId: actor.actorId, targetId: userId, ip: actor.ip, userAgent: actor.userAgent, data }, tx);
}

function refuseSelf(userId: string, actor: AdminActor, message: string): void {
  if (userId === actor.actorId) throw new AppError("forbidden", message);
}

/**
 * Bans the user: no sign-in, and every session ends now ("revoked": the next
 * refresh fails, the last token dies within its lifetime). Not yourself, and
 * not another admin: an admin is removed by taking the role away first.
 */
export async function banUser(input: { userId: string }, actor: AdminActor): Promise<{ endedSessions: number }> {
  refuseSelf(input.userId, actor, "You cannot ban your own account.");
  const now = actor.now ?? new Date();
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { role: true, banned: true } });
    if (!user) throw new AppError("not_found", NO_SUCH_USER);
    if (user.role === "admin") throw new AppError("forbidden", "Admins cannot be banned.");
    await tx.user.update({ where: { id: input.userId }, data: { banned: true } });
    await emitSessionEvents(tx, "session.revoked", { userId: input.userId, status: "active" }, now);
    const { count } = await tx.session.updateMany({
      where: { userId: input.userId, status: "active" },
      data: { status: "revoked", endedAt: now },
    });
    await audit(tx, actor, "user.banned", input.userId, { endedSessions: count, wasBanned: user.banned });
    await emitUserUpdated(tx, input.userId, now);
    return { endedSessions: count };
  });
}

/** Lifts a ban: the user can sign in again (ended sessions stay ended). */
export async function unbanUser(input: { userId: string }, actor: AdminActor): Promise<{ wasBanned: boolean }> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { banned: true } });
    if (!user) throw new AppError("not_found", NO_SUCH_USER);
    await tx.user.update({ where: { id: input.userId }, data: { banned: false } });
    await audit(tx, actor, "user.unbanned", input.userId, { wasBanned: user.banned });
    await emitUserUpdated(tx, input.userId, actor.now);
    return { wasBanned: user.banned };
  });
}

/**
 * Locks the account as too many failed sign-ins would (S10): password sign-in
 * from browsers it has not signed in on is refused until `lockedUntil`;
 * signed-in devices stay signed in. `unlockUser` lifts it.
 */
export async function lockUser(input: { userId: string; minutes?: number }, actor: AdminActor): Promise<{ lockedUntil: Date }> {
  refuseSelf(input.userId, actor, "You cannot lock your own account.");
  const minutes = input.minutes ?? DEFAULT_LOCK_MINUTES;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_LOCK_MINUTES) {
    const message = `Lock for 1 to ${MAX_LOCK_MINUTES} minutes.`;
    throw new AppError("validation_failed", message, { fields: { minutes: [message] } });
  }
  const now = actor.now ?? new Date();
  const lockedUntil = new Date(now.getTime() + minutes * 60_000);
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true } });
    if (!user) throw new AppError("not_found", NO_SUCH_USER);
    await tx.user.update({ where: { id: input.userId }, data: { lockedUntil } });
    await audit(tx, actor, "user.locked", input.userId, { by: "admin", minutes, lockedUntil: lockedUntil.toISOString() });
    await emitUserUpdated(tx, input.userId, now);
    return { lockedUntil };
  });
}

/**
 * Removes every second factor and the backup codes (lib/mfa `resetMfa`, which
 * audits `mfa.reset`): for a user who lost their device. Not your own: that
 * goes through your account page and its step-up.
 */
export async function resetUserMfa(input: { userId: string }, actor: AdminActor): Promise<void> {
  refuseSelf(input.userId, actor, "Manage your own two-step verification from your account page.");
  await resetMfa(input.userId, { actorId: actor.actorId, ip: actor.ip, userAgent: actor.userAgent });
}

/**
 * Deletes the user and their personal data, exactly as their own deletion
 * does (lib/users `eraseUser`), audited as `user.deleted` by the admin. The
 * confirmation is the user's primary email address or id. Never yourself
 * (your account page does that), never the last admin. The route asks the
 * admin for a recent verification (step-up) first.
 */
export async function adminDeleteUser(input: { userId: string; confirmation: string }, actor: AdminActor): Promise<void> {
  refuseSelf(input.userId, actor, "Delete your own account from your account page.");
  const now = actor.now ?? new Date();
  await db.$transaction(async (tx) => {
    const user = await findUserToErase(tx, input.userId);
    if (!user) throw new AppError("not_found", NO_SUCH_USER);
    const primary = user.emailAddresses.find((address) => address.id === user.primaryEmailAddressId);
    const typed = input.confirmation.trim();
    if (!(typed === user.id || (primary && normalizeEmail(typed) === primary.emailNormalized))) {
      const message = `Type ${primary ? `${primary.email} or ` : ""}${user.id} to confirm.`;
      throw new AppError("validation_failed", message, { fields: { confirmation: [message] } });
    }
    if (user.role === "admin") {
      // Every admin row locked, in one order: two admins deleting each other at once cannot leave none.
      const admins = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE role = 'admin' ORDER BY id FOR UPDATE`;
      if (!admins.some((admin) => admin.id !== user.id)) {
        throw new AppError("conflict", "This is the last admin. Make someone else an admin first.");
      }
    }
    const erased = await eraseUser(tx, user, now);
    await audit(tx, actor, "user.deleted", user.id, { ...erased, by: "admin" });
  });
}

const METADATA_KINDS = ["publicMetadata", "privateMetadata", "unsafeMetadata"] as const;
type MetadataKind = (typeof METADATA_KINDS)[number];

export type AdminMetadata = { metadata: Record<MetadataKind, JsonObject>; metadataVersion: string };

type MetadataRow = { version: string; publicMetadata: string; privateMetadata: string; unsafeMetadata: string };

async function readMetadata(tx: Tx, userId: string, lock: boolean): Promise<MetadataRow | null> {
  const rows = lock
    ? await tx.$queryRaw<MetadataRow[]>`
        SELECT ${METADATA_VERSION_SQL} AS version, "publicMetadata"::text AS "publicMetadata",
               "privateMetadata"::text AS "privateMetadata", "unsafeMetadata"::text AS "unsafeMetadata"
        FROM "User" WHERE id = ${userId} FOR UPDATE`
    : await tx.$queryRaw<MetadataRow[]>`
        SELECT ${METADATA_VERSION_SQL} AS version, "publicMetadata"::text AS "publicMetadata",
               "privateMetadata"::text AS "privateMetadata", "unsafeMetadata"::text AS "unsafeMetadata"
        FROM "User" WHERE id = ${userId}`;
  return rows[0] ?? null;
}

/**
 * Replaces any of the three metadata objects (each a JSON object of at most
 * 8 KB, lib/users). `expectedVersion` is the `metadataVersion` the editor
 * read: if the metadata changed since, nothing is written (conflict), so one
 * admin never silently overwrites another's (or the user's) change.
 */
export async function updateUserMetadataAsAdmin(
  input: {
    userId: string;
    publicMetadata?: unknown;
    privateMetadata?: unknown;
    unsafeMetadata?: unknown;
    expectedVersion?: string;
  },
  actor: AdminActor,
): Promise<AdminMetadata> {
  const changes: Partial<Record<MetadataKind, JsonObject>> = {};
  const fields: FieldErrors = {};
  for (const kind of METADATA_KINDS) {
    if (input[kind] === undefined) continue;
    const parsed = metadataObjectSchema.safeParse(input[kind]);
    if (parsed.success) changes[kind] = parsed.data;
    else fields[kind] = [parsed.error.issues[0]?.message ?? "Metadata must be a JSON object."];
  }
  if (Object.keys(fields).length > 0) {
    throw new AppError("validation_failed", Object.values(fields)[0]![0]!, { fields });
  }
  if (Object.keys(changes).length === 0) {
    throw new AppError("validation_failed", "Send publicMetadata, privateMetadata or unsafeMetadata.");
  }
  return db.$transaction(async (tx) => {
    const before = await readMetadata(tx, input.userId, true);
    if (!before) throw new AppError("not_found", NO_SUCH_USER);
    if (input.expectedVersion !== undefined && input.expectedVersion !== before.version) {
      throw new AppError("conflict", "The metadata was changed meanwhile. Reload to see the current values, then edit again.");
    }
    await tx.user.update({ where: { id: input.userId }, data: changes as Record<MetadataKind, object> });
    const after = (await readMetadata(tx, input.userId, false))!;
    // jsonb's text form is canonical (keys in a fixed order): equal text, equal metadata.
    const changed = METADATA_KINDS.filter((kind) => before[kind] !== after[kind]);
    if (changed.length > 0) {
      await audit(tx, actor, "user.metadata_updated", input.userId, { fields: changed });
      await emitUserUpdated(tx, input.userId, actor.now);
    }
    return {
      metadata: {
        publicMetadata: JSON.parse(after.publicMetadata) as JsonObject,
        privateMetadata: JSON.parse(after.privateMetadata) as JsonObject,
        unsafeMetadata: JSON.parse(after.unsafeMetadata) as JsonObject,
      },
      metadataVersion: after.version,
    };
  });
}

/** Signs one of the user's devices out; a session of anyone else (or an ended one) is "not found". */
export async function revokeUserSession(input: { userId: string; sessionId: string }, actor: AdminActor): Promise<void> {
  const now = actor.now ?? new Date();
  await db.$transaction(async (tx) => {
    await emitSessionEvents(tx, "session.revoked", { id: input.sessionId, userId: input.userId, status: "active" }, now);
    const { count } = await tx.session.updateMany({
      where: { id: input.sessionId, userId: input.userId, status: "active" },
      data: { status: "revoked", endedAt: now },
    });
    if (count !== 1) throw new AppError("not_found", "This user has no such active session.");
    await audit(tx, actor, "session.revoked", input.userId, { by: "admin", sessionId: input.sessionId });
  });
}

/** Signs the user out everywhere. */
export async function revokeAllUserSessions(input: { userId: string }, actor: AdminActor): Promise<{ revoked: number }> {
  const now = actor.now ?? new Date();
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true } });
    if (!user) throw new AppError("not_found", NO_SUCH_USER);
    await emitSessionEvents(tx, "session.revoked", { userId: input.userId, status: "active" }, now);
    const { count } = await tx.session.updateMany({
      where: { userId: input.userId, status: "active" },
      data: { status: "revoked", endedAt: now },
    });
    await audit(tx, actor, "session.revoked", input.userId, { by: "admin", all: true, revoked: count });
    return { revoked: count };
  });
}
