import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/errors";

/**
 * Keyset pages ordered by (createdAt, id), newest first: the cursor is the
 * last row's key, opaque to callers (base64url JSON). Used by the audit log,
 * webhook deliveries and the backend API's session list.
 */
export type CreatedAtCursor = { createdAt: Date; id: string };

const cursorSchema = z.tuple([z.iso.datetime(), z.string().min(1).max(64)]);

export function encodeCreatedAtCursor(row: CreatedAtCursor): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString("base64url");
}

/** The row key in `value`; a cursor that is not one of ours is a 400 on the field `cursor` with `message`. */
export function decodeCreatedAtCursor(value: string, message = "This page link is no longer valid. Start from the first page."): CreatedAtCursor {
  let decoded: unknown = null;
  try {
    decoded = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    // Falls through to the schema's refusal.
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success) throw new AppError("validation_failed", message, { fields: { cursor: [message] } });
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
}
