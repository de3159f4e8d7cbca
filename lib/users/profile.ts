import "server-only";
import { z } from "zod";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { Prisma } from "@/lib/generated/prisma/client";
import { safeText } from "@/lib/http/schemas";
import { emitUserUpdated } from "@/lib/webhooks/events";
import { USERNAME_TAKEN_MESSAGE, normalizeUsername, usernameProblem } from "./username";

/**
 * The signed-in user's own profile as the account page shows it (S7). Built
 * field by field: never the user row itself, so `privateMetadata` (and
 * anything added to User later) cannot reach a browser by accident.
 */
export type AccountProfile = {
  id: string;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string | null;
  /** An uploaded picture exists (the avatar route serves it); else imageUrl is a provider's or null. */
  hasUploadedAvatar: boolean;
};

/** Who made a change, for the audit log: the user, or an administrator acting as them. */
export type ChangeContext = { actorId: string; ip: string | null; userAgent: string | null };

const PROFILE_SELECT = {
  id: true,
  firstName: true,
  lastName: true,
  username: true,
  imageUrl: true,
  avatar: { select: { etag: true } },
} as const;

type ProfileRow = Prisma.UserGetPayload<{ select: typeof PROFILE_SELECT }>;

function toAccountProfile(row: ProfileRow): AccountProfile {
  return {
    id: row.id,
    firstName: row.firstName,
    lastName: row.lastName,
    username: row.username,
    imageUrl: row.imageUrl,
    hasUploadedAvatar: row.avatar !== null,
  };
}

export async function getAccountProfile(userId: string, tx: Tx = db): Promise<AccountProfile | null> {
  const row = await tx.user.findUnique({ where: { id: userId }, select: PROFILE_SELECT });
  return row ? toAccountProfile(row) : null;
}

/** A first or last name: trimmed; empty clears it. */
export const profileNameField = (label: string) =>
  safeText({ max: 100, label }).transform((value) => value.trim() || null);

/** A username as typed: normalized (trimmed, lower-cased), checked against the rules; empty clears it. */
export const usernameField = safeText({ max: 100, label: "Username" })
  .transform(normalizeUsername)
  .superRefine((value, context) => {
    const problem = value === "" ? null : usernameProblem(value);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .transform((value) => value || null);

export type ProfileChanges = {
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  /** The user's id in the team's own system (backend API only; the account page never sends it). Unique. */
  externalId?: string | null;
};

function usernameTaken(): AppError {
  return new AppError("conflict", USERNAME_TAKEN_MESSAGE, { fields: { username: [USERNAME_TAKEN_MESSAGE] } });
}

export const EXTERNAL_ID_TAKEN_MESSAGE = "Another user already has this external_id.";

export function externalIdTaken(): AppError {
  return new AppError("conflict", EXTERNAL_ID_TAKEN_MESSAGE, { fields: { externalId: [EXTERNAL_ID_TAKEN_MESSAGE] } });
}

/** Is anyone else's username this one, whatever its case? */
async function usernameHeldByOther(tx: Tx, username: string, userId: string): Promise<boolean> {
  const other = await tx.user.findFirst({
    where: { username: { equals: username, mode: "insensitive" }, id: { not: userId } },
    select: { id: true },
  });
  return other !== null;
}

/**
 * The live check behind the username field: the rules first, then whether
 * someone else holds it (case-insensitive). The user's own username is available.
 */
export async function checkUsername(value: string, userId: string): Promise<{ username: string; available: boolean; message: string | null }> {
  const username = normalizeUsername(value);
  const problem = usernameProblem(username);
  if (problem) return { username, available: false, message: problem };
  if (await usernameHeldByOther(db, username, userId)) return { username, available: false, message: USERNAME_TAKEN_MESSAGE };
  return { username, available: true, message: null };
}

/**
 * Saves first name, last name and username together (S7; the backend API
 * also the external id, unique like the username): fields left out
 * stay as they are; only what differs is written, and the `user.updated`
 * audit event (naming the changed fields, not their values) is written in
 * the same transaction. A username someone else holds, in any case, is a 409
 * on the username field; nothing is saved then.
 */
export async function updateProfile(userId: string, changes: ProfileChanges, context: ChangeContext): Promise<AccountProfile> {
  const username = changes.username === undefined || changes.username === null ? changes.username : normalizeUsername(changes.username);
  if (username) {
    const problem = usernameProblem(username);
    if (problem) throw new AppError("validation_failed", problem, { fields: { username: [problem] } });
  }
  try {
    return await db.$transaction(async (tx) => {
      const current = await tx.user.findUnique({ where: { id: userId }, select: PROFILE_SELECT });
      if (!current) throw new AppError("not_found", "This account no longer exists.");
      const data: ProfileChanges = {};
      if (changes.firstName !== undefined && changes.firstName !== current.firstName) data.firstName = changes.firstName;
      if (changes.lastName !== undefined && changes.lastName !== current.lastName) data.lastName = changes.lastName;
      if (username !== undefined && username !== current.username) {
        if (username) {
          // Two users saving the same name at once: one at a time per name (the unique index is case-sensitive).
          // (::text: the driver adapter cannot map pg_advisory_xact_lock's void result.)
          await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`username:${username}`}))::text`;
          if (await usernameHeldByOther(tx, username, userId)) throw usernameTaken();
        }
        data.username = username;
      }
      if (changes.externalId !== undefined) {
        const held = changes.externalId === null ? null : await tx.user.findUnique({ where: { externalId: changes.externalId }, select: { id: true } });
        if (held && held.id !== userId) throw externalIdTaken();
        const { externalId } = (await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { externalId: true } }));
        if (externalId !== changes.externalId) data.externalId = changes.externalId;
      }
      const fields = Object.keys(data);
      if (fields.length === 0) return toAccountProfile(current);
      const updated = await tx.user.update({ where: { id: userId }, data, select: PROFILE_SELECT });
      await recordAuditEvent(
        { type: "user.updated", actorId: context.actorId, targetId: userId, ip: context.ip, userAgent: context.userAgent, data: { fields } },
        tx,
      );
      await emitUserUpdated(tx, userId);
      return toAccountProfile(updated);
    });
  } catch (error) {
    // Two writers racing for one value: the unique index decides.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw String(error.meta?.target ?? "").includes("externalId") ? externalIdTaken() : usernameTaken();
    }
    throw error;
  }
}

export const profileChangesSchema = z.strictObject({
  firstName: profileNameField("First name").optional(),
  lastName: profileNameField("Last name").optional(),
  username: usernameField.optional(),
});
