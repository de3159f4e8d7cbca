import "server-only";
import { db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { getMailTransport } from "./transport";

/** A pending message older than this means the outbox is not being drained (no cron, loop off, SMTP down). */
export const STUCK_AFTER_MS = 15 * 60 * 1000;

export type MailStatus = {
  transport: "smtp" | "dev";
  /** False in production without SMTP_URL: nobody would receive codes or links (DEV_INBOX=on is the explicit test mode). */
  configured: boolean;
  pending: number;
  failed: number;
  oldestPendingSeconds: number | null;
  healthy: boolean;
};

/**
 * Mail for the health route (S12): unhealthy when production has no SMTP_URL (unless DEV_INBOX=on)
 * or the queue is stuck; failed messages are counted.
 */
export async function mailStatus(now = new Date()): Promise<MailStatus> {
  const [pending, failed, oldest] = await Promise.all([
    db.outboxMessage.count({ where: { channel: "email", status: { in: ["pending", "sending"] } } }),
    db.outboxMessage.count({ where: { channel: "email", status: "failed" } }),
    db.outboxMessage.findFirst({
      where: { channel: "email", status: { in: ["pending", "sending"] } },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
    }),
  ]);
  const oldestPendingMs = oldest ? now.getTime() - oldest.createdAt.getTime() : null;
  const transport = getMailTransport().kind;
  const { NODE_ENV, DEV_INBOX } = getConfig();
  const configured = transport === "smtp" || NODE_ENV !== "production" || DEV_INBOX === "on";
  return {
    transport,
    configured,
    pending,
    failed,
    oldestPendingSeconds: oldestPendingMs === null ? null : Math.round(oldestPendingMs / 1000),
    healthy: configured && (oldestPendingMs === null || oldestPendingMs < STUCK_AFTER_MS),
  };
}
