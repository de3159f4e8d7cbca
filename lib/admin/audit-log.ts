import "server-only";
import type { AuditEventType } from "@/lib/audit";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { clampLimit } from "./users";
import { decodeCreatedAtCursor, encodeCreatedAtCursor } from "@/lib/pagination";

/**
 * The audit log for admins (S8): filtered, newest first, keyset pages on
 * (createdAt, id) over the AuditEvent indexes ((type | actorId | targetId,
 * createdAt) and (createdAt)), and a CSV export that streams.
 */
export type AuditFilters = {
  type?: string;
  actorId?: string;
  targetId?: string;
  /** At or after. */
  from?: Date;
  /** Before (exclusive). */
  to?: Date;
};

export type AuditRow = {
  id: string;
  type: string;
  actorId: string | null;
  /** The actor's primary address, when the actor is a user that still exists. */
  actorEmail: string | null;
  targetId: string | null;
  targetEmail: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
};

export const AUDIT_PAGE_DEFAULT_LIMIT = 50;
export const AUDIT_PAGE_MAX_LIMIT = 200;
/** Rows per query while exporting: the export holds one batch in memory, whatever the log's size. */
export const AUDIT_CSV_BATCH = 500;

/**
 * Every audit type, for the filter's dropdown. A Record, so adding a type to
 * the AuditEventType union (lib/audit) without listing it here fails to compile.
 */
const AUDIT_EVENT_TYPES: Record<AuditEventType, true> = {
  "user.created": true,
  "user.updated": true,
  "sign_in.succeeded": true,
  "sign_in.failed": true,
  sign_out: true,
  "sign_out.everywhere": true,
  "session.revoked": true,
  "session.switched": true,
  "user.locked": true,
  "user.unlocked": true,
  "user.banned": true,
  "user.unbanned": true,
  "user.metadata_updated": true,
  "user.role_changed": true,
  "password.rehashed": true,
  "signing_key.rotated": true,
  "secrets.resealed": true,
  "password.reset": true,
  "email.verified": true,
  "verification.failed": true,
  "settings.updated": true,
  "branding.logo_updated": true,
  "branding.logo_removed": true,
  "attempt.denied": true,
  "mfa.enrolled": true,
  "mfa.disabled": true,
  "mfa.reset": true,
  "mfa.renamed": true,
  "security_key.counter_regression": true,
  "backup_code.used": true,
  "backup_codes.regenerated": true,
  "second_factor.failed": true,
  "session.reverified": true,
  "password.changed": true,
  "phone.verified": true,
  "phone.added": true,
  "phone.removed": true,
  "phone.primary_changed": true,
  "external_account.linked": true,
  "external_account.unlinked": true,
  "passkey.added": true,
  "passkey.removed": true,
  "passkey.counter_regression": true,
  "email.added": true,
  "email.removed": true,
  "email.primary_changed": true,
  "sign_out.others": true,
  "user.deleted": true,
  "invitation.created": true,
  "invitation.revoked": true,
  "invitation.accepted": true,
  "impersonation.started": true,
  "impersonation.stopped": true,
  "api_key.created": true,
  "api_key.revoked": true,
  "actor_token.created": true,
  "actor_token.revoked": true,
  "jwt_template.created": true,
  "jwt_template.updated": true,
  "jwt_template.deleted": true,
  "webhook.endpoint_created": true,
  "webhook.endpoint_updated": true,
  "webhook.endpoint_deleted": true,
  "webhook.secret_rotated": true,
  "webhook.endpoint_paused": true,
  "bot.refused": true,
};

export function auditEventTypes(): string[] {
  return Object.keys(AUDIT_EVENT_TYPES).sort();
}

// --- pages ---------------------------------------------------------------------------


function whereFor(filters: AuditFilters, after: { createdAt: Date; id: string } | null): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (filters.type) and.push({ type: filters.type });
  if (filters.actorId) and.push({ actorId: filters.actorId });
  if (filters.targetId) and.push({ targetId: filters.targetId });
  if (filters.from) and.push({ createdAt: { gte: filters.from } });
  if (filters.to) and.push({ createdAt: { lt: filters.to } });
  // Keyset: rows after (createdAt, id) in descending order; "createdAt <= k" alone is an index range.
  if (after) and.push({ createdAt: { lte: after.createdAt } }, { OR: [{ createdAt: { lt: after.createdAt } }, { id: { lt: after.id } }] });
  return { AND: and };
}

async function readPage(filters: AuditFilters, cursor: string | null, limit: number): Promise<{ events: AuditRow[]; nextCursor: string | null }> {
  const rows = await db.auditEvent.findMany({
    where: whereFor(filters, cursor ? decodeCreatedAtCursor(cursor) : null),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const emails = await primaryEmails(page.flatMap((row) => [row.actorId, row.targetId]));
  const last = page.at(-1);
  return {
    events: page.map((row) => ({
      id: row.id,
      type: row.type,
      actorId: row.actorId,
      actorEmail: (row.actorId && emails.get(row.actorId)) ?? null,
      targetId: row.targetId,
      targetEmail: (row.targetId && emails.get(row.targetId)) ?? null,
      ip: row.ip,
      userAgent: row.userAgent,
      data: typeof row.data === "object" && row.data !== null && !Array.isArray(row.data) ? (row.data as Record<string, unknown>) : {},
      createdAt: row.createdAt,
    })),
    nextCursor: rows.length > limit && last ? encodeCreatedAtCursor(last) : null,
  };
}

/** Primary addresses of the user ids among `ids` (targets are often sessions or other rows: skipped). */
async function primaryEmails(ids: (string | null)[]): Promise<Map<string, string>> {
  const userIds = [...new Set(ids.filter((id): id is string => Boolean(id?.startsWith("user_"))))];
  if (userIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ id: string; email: string }[]>`
    SELECT u.id, e.email FROM "User" u JOIN "EmailAddress" e ON e.id = u."primaryEmailAddressId"
    WHERE u.id = ANY(${userIds}::text[])`;
  return new Map(rows.map((row) => [row.id, row.email]));
}

/** One page of events, newest first; `nextCursor` is null on the last page. */
export async function listAuditEvents(
  filters: AuditFilters & { cursor?: string | null; limit?: number },
): Promise<{ events: AuditRow[]; nextCursor: string | null }> {
  const limit = clampLimit(filters.limit, AUDIT_PAGE_DEFAULT_LIMIT, AUDIT_PAGE_MAX_LIMIT);
  return readPage(filters, filters.cursor ?? null, limit);
}

// --- CSV export ----------------------------------------------------------------------------

const CSV_COLUMNS = ["createdAt", "id", "type", "actorId", "actorEmail", "targetId", "targetEmail", "ip", "userAgent", "data"] as const;

/**
 * One CSV cell (RFC 4180: quoted when it holds a comma, quote or line break,
 * quotes doubled). A cell a spreadsheet would run as a formula (it starts with
 * = + - @, or a tab or carriage return that some strip first) gets a leading
 * apostrophe and is shown as text: user agents and metadata are user input.
 */
export function csvCell(value: string | null): string {
  if (value === null || value === "") return "";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text.trim() !== text ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(cells: (string | null)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

function csvRow(row: AuditRow): string {
  return csvLine([
    row.createdAt.toISOString(),
    row.id,
    row.type,
    row.actorId,
    row.actorEmail,
    row.targetId,
    row.targetEmail,
    row.ip,
    row.userAgent,
    JSON.stringify(row.data),
  ]);
}

/**
 * The filtered log as CSV, newest first, streamed: each time the reader wants
 * more, the next `batchSize` rows are read by keyset (never the whole log in
 * memory, nothing read ahead of a slow client but one batch). Rows written
 * after the export started are left out (`to` is fixed at the start).
 */
export function auditEventsCsv(filters: AuditFilters, options: { batchSize?: number; now?: Date } = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batchSize = options.batchSize ?? AUDIT_CSV_BATCH;
  const now = options.now ?? new Date();
  const bounded: AuditFilters = { ...filters, to: filters.to && filters.to < now ? filters.to : new Date(now.getTime() + 1) };
  let cursor: string | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvLine([...CSV_COLUMNS])));
          return;
        }
        const page = await readPage(bounded, cursor, batchSize);
        if (page.events.length > 0) controller.enqueue(encoder.encode(page.events.map(csvRow).join("")));
        cursor = page.nextCursor;
        if (!cursor) controller.close();
      },
    },
    // Pull only when the reader has taken what was there: one batch at a time.
    { highWaterMark: 0 },
  );
}
