import "server-only";
import { db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { normalizeEmail } from "@/lib/users";
import type { OutboxMessage } from "@/lib/generated/prisma/client";
import type { OutboxPayload } from "./outbox";

/** Never in production, unless DEV_INBOX=on (the e2e harness runs a production build). */
export function devInboxEnabled(): boolean {
  const config = getConfig();
  if (config.DEV_INBOX) return config.DEV_INBOX === "on";
  return config.NODE_ENV !== "production";
}

export type DevInboxMessage = {
  id: string;
  to: string;
  template: string;
  status: string;
  subject: string;
  html: string | null;
  text: string | null;
  code: string | null;
  link: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
};

function inboxFilter(to: string | undefined) {
  return { channel: "email", ...(to ? { to: { equals: normalizeEmail(to), mode: "insensitive" as const } } : {}) };
}

/** Latest outbox emails, newest first, optionally for one address. */
export async function listDevInbox(options: { to?: string; limit?: number } = {}): Promise<DevInboxMessage[]> {
  const rows = await db.outboxMessage.findMany({
    where: inboxFilter(options.to),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 50,
  });
  return rows.map(toMessage);
}

/** One email of the dev inbox by id (null when there is none). */
export async function findDevInboxMessage(id: string): Promise<DevInboxMessage | null> {
  const row = await db.outboxMessage.findFirst({ where: { id, channel: "email" } });
  return row ? toMessage(row) : null;
}

/**
 * A short string that changes whenever the list for `to` does: a new email
 * (the count) or a status change (the latest updatedAt). The page polls it
 * (version.json) and re-renders only when it moved.
 */
export async function devInboxVersion(options: { to?: string } = {}): Promise<string> {
  const { _count, _max } = await db.outboxMessage.aggregate({
    // Unfiltered, the page also lists text messages (the dev SMS outbox): they change it too.
    where: options.to ? inboxFilter(options.to) : { channel: { in: ["email", "sms"] } },
    _count: { _all: true },
    _max: { updatedAt: true },
  });
  return `${_count._all}-${_max.updatedAt?.getTime() ?? 0}`;
}

function toMessage(row: OutboxMessage): DevInboxMessage {
  const payload = row.payload as Partial<OutboxPayload>;
  return {
    id: row.id,
    to: row.to,
    template: row.template,
    status: row.status,
    subject: payload.subject ?? row.template,
    html: payload.html ?? null,
    text: payload.text ?? null,
    code: payload.preview?.code ?? null,
    link: payload.preview?.link ?? null,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
  };
}
