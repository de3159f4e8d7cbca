import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { emitUserUpdated } from "@/lib/webhooks/events";
import type { ChangeContext } from "./profile";

/**
 * User metadata (S7). `publicMetadata`: read by the user and their pages,
 * written by the backend and admins. `privateMetadata`: backend and admins
 * only; nothing in this file returns it, and no browser-facing route reads
 * it. `unsafeMetadata`: the user reads and writes it. Each is a JSON object
 * of at most 8 KB serialized.
 */
export const METADATA_MAX_BYTES = 8 * 1024;

export type JsonObject = { [key: string]: unknown };

/** The metadata a user may see of themselves: never `privateMetadata`. */
export type UserVisibleMetadata = { publicMetadata: JsonObject; unsafeMetadata: JsonObject };

const OBJECT_MESSAGE = "Metadata must be a JSON object, like {\"theme\": \"dark\"}.";
const tooLargeMessage = `Metadata must be at most ${METADATA_MAX_BYTES / 1024} KB as JSON.`;

/** Serialized size in bytes (UTF-8), or null for something JSON cannot represent faithfully. */
function serializedBytes(value: unknown): number | null {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return null;
    // A round trip must give the same text: no functions, undefined, NaN, Dates or class instances slipping through.
    if (JSON.stringify(JSON.parse(text)) !== text) return null;
    return Buffer.byteLength(text, "utf8");
  } catch {
    return null; // cycles, BigInt
  }
}

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** One metadata value: a JSON object (not an array, string or number) of at most 8 KB serialized. */
export const metadataObjectSchema = z.unknown().transform((value, context): JsonObject => {
  if (!isPlainObject(value)) {
    context.addIssue({ code: "custom", message: OBJECT_MESSAGE });
    return z.NEVER;
  }
  const bytes = serializedBytes(value);
  if (bytes === null) {
    context.addIssue({ code: "custom", message: OBJECT_MESSAGE });
    return z.NEVER;
  }
  if (bytes > METADATA_MAX_BYTES) {
    context.addIssue({ code: "custom", message: tooLargeMessage });
    return z.NEVER;
  }
  // A fresh copy: what is stored is exactly what was measured.
  return JSON.parse(JSON.stringify(value)) as JsonObject;
});

/** JSON with object keys sorted: jsonb does not keep key order, so equal objects must compare equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

function asObject(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

export async function getUserMetadata(userId: string): Promise<UserVisibleMetadata> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { publicMetadata: true, unsafeMetadata: true } });
  if (!user) throw new AppError("not_found", "This account no longer exists.");
  return { publicMetadata: asObject(user.publicMetadata), unsafeMetadata: asObject(user.unsafeMetadata) };
}

/**
 * Replaces the user's `unsafeMetadata` with `value` (the whole object; send
 * the old keys to keep them), validated again here so no caller can store a
 * non-object or more than 8 KB. `user.updated` is audited in the same
 * transaction when it changed.
 */
export async function updateUnsafeMetadata(userId: string, value: unknown, context: ChangeContext): Promise<UserVisibleMetadata> {
  const parsed = metadataObjectSchema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? OBJECT_MESSAGE;
    throw new AppError("validation_failed", message, { fields: { unsafeMetadata: [message] } });
  }
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { publicMetadata: true, unsafeMetadata: true } });
    if (!user) throw new AppError("not_found", "This account no longer exists.");
    if (canonicalJson(user.unsafeMetadata) !== canonicalJson(parsed.data)) {
      await tx.user.update({ where: { id: userId }, data: { unsafeMetadata: parsed.data as object } });
      await recordAuditEvent(
        {
          type: "user.updated",
          actorId: context.actorId,
          targetId: userId,
          ip: context.ip,
          userAgent: context.userAgent,
          data: { fields: ["unsafeMetadata"] },
        },
        tx,
      );
      await emitUserUpdated(tx, userId);
    }
    return { publicMetadata: asObject(user.publicMetadata), unsafeMetadata: parsed.data };
  });
}
