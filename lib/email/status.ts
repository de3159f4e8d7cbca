import "server-only";
import { db } from "@/lib/db";
import { getMailTransport } from "./transport";

/** A pending message older than this means the outbox is not being drained (no cron, loop off, SMTP down). */
export const STUCK_AFTER_MS = 15 * 60 * 1000;

export type MailStatus = {
  transport: "smtp" | "dev";
  pending: number;
  failed: number;
  oldestPendingSeconds: number | null;
  healthy: boolean;
};

/** Outbox backlog for the health route (S12): failed messages are counted, a stuck queue is unhealthy. */
export async function mailStatus(now = new Date()): Promise<MailStatus> {
  const [pending, failed, oldest] = await Promise.all([
    db.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } }),
    db.outboxMessage.count({ where: { status: "failed" } }),
    db.outboxMessage.findFirst({
      where: { status: { in: ["pending", "sending"] } },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
    }),
  ]);
  const oldestPendingMs = oldest ? now.getTime() - oldest.createdAt.getTime() : null;
  return {
    transport: getMailTransport().kind,
    pending,
    failed,
    oldestPendingSeconds: oldestPendingMs === null ? null : Math.round(oldestPendingMs / 1000),
    healthy: oldestPendingMs === null || oldestPendingMs < STUCK_AFTER_MS,
  };
}
