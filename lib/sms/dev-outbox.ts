import "server-only";
import { db } from "@/lib/db";
import type { OutboxMessage } from "@/lib/generated/prisma/client";
import type { SmsPayload } from "./templates";

export type DevSms = {
  id: string;
  to: string;
  template: string;
  status: string;
  body: string;
  code: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
};

/**
 * "+1 415 555 2671", "0014155552671" or " 14155552671" (a `+` sent unencoded in
 * a query string arrives as a space) -> "+14155552671". Lenient on purpose: a
 * filter that matches nothing is the right answer for junk, not an error.
 */
function toE164(filter: string): string {
  return `+${filter.replace(/\D/g, "").replace(/^00/, "")}`;
}

/** Latest SMS of the outbox (the dev SMS outbox), newest first, optionally for one number; each with its code while it has one. */
export async function listDevSms(options: { to?: string; limit?: number } = {}): Promise<DevSms[]> {
  const rows = await db.outboxMessage.findMany({
    where: { channel: "sms", ...(options.to ? { to: toE164(options.to) } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 50,
  });
  return rows.map(toDevSms);
}

function toDevSms(row: OutboxMessage): DevSms {
  const payload = row.payload as Partial<SmsPayload>;
  return {
    id: row.id,
    to: row.to,
    template: row.template,
    status: row.status,
    body: payload.body ?? "",
    code: payload.preview?.code ?? null,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
  };
}
