import "server-only";
import { db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { normalizeEmail } from "@/lib/users";
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

/** Latest outbox emails, newest first, optionally for one address. */
export async function listDevInbox(options: { to?: string; limit?: number } = {}): Promise<DevInboxMessage[]> {
  const rows = await db.outboxMessage.findMany({
    where: {
      channel: "email",
      ...(options.to ? { to: { equals: normalizeEmail(options.to), mode: "insensitive" } } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: options.limit ?? 50,
  });
  return rows.map((row) => {
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
  });
}
