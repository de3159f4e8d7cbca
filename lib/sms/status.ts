import "server-only";
import { db } from "@/lib/db";
import { getConfig } from "@/lib/config";
import { getSmsConfig } from "./config";

/** A pending SMS older than this is useless (codes live 10 minutes): the outbox is not drained or the provider refuses. */
export const SMS_STUCK_AFTER_MS = 10 * 60 * 1000;

export type SmsStatus = {
  /** "invalid": some TWILIO_* variable is set but the setup is incomplete or malformed (see `error`). */
  transport: "twilio" | "dev" | "invalid";
  /** False in production with the dev transport (unless DEV_INBOX=on): nobody would receive the codes. */
  configured: boolean;
  error: string | null;
  pending: number;
  failed: number;
  oldestPendingSeconds: number | null;
  healthy: boolean;
};

/**
 * SMS for the health route (S12), like `mailStatus`. SMS is off instance-wide by
 * default (S6): the caller decides whether `configured: false` matters.
 */
export async function smsStatus(now = new Date()): Promise<SmsStatus> {
  const pendingWhere = { channel: "sms", status: { in: ["pending" as const, "sending" as const] } };
  const [pending, failed, oldest] = await Promise.all([
    db.outboxMessage.count({ where: pendingWhere }),
    db.outboxMessage.count({ where: { channel: "sms", status: "failed" } }),
    db.outboxMessage.findFirst({ where: pendingWhere, orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
  ]);
  const oldestPendingMs = oldest ? now.getTime() - oldest.createdAt.getTime() : null;
  let transport: SmsStatus["transport"];
  let error: string | null = null;
  try {
    transport = getSmsConfig().provider;
  } catch (configError) {
    transport = "invalid";
    error = configError instanceof Error ? configError.message : String(configError);
  }
  const { NODE_ENV, DEV_INBOX } = getConfig();
  const configured = transport === "twilio" || (transport === "dev" && (NODE_ENV !== "production" || DEV_INBOX === "on"));
  return {
    transport,
    configured,
    error,
    pending,
    failed,
    oldestPendingSeconds: oldestPendingMs === null ? null : Math.round(oldestPendingMs / 1000),
    healthy: configured && (oldestPendingMs === null || oldestPendingMs < SMS_STUCK_AFTER_MS),
  };
}
