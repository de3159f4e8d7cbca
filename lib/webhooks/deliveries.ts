import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { OutboxStatus, Prisma } from "@/lib/generated/prisma/client";
import { webhookBody } from "./delivery";
import { WEBHOOK_CHANNEL } from "./endpoints";
import type { WebhookEventPayload } from "./events";
import { replayWebhookMessage } from "./examples";
import { decodeCreatedAtCursor, encodeCreatedAtCursor } from "@/lib/pagination";

/**
 * An endpoint's delivery log (S9): its OutboxMessage rows (channel "webhook",
 * `to` = endpoint id), newest first in keyset pages over the (channel, to,
 * createdAt) index, each with its attempts (WebhookAttempt: HTTP status,
 * latency, response excerpt) and the payload, so an admin can see what was
 * sent and what the receiver answered.
 */
export const DELIVERY_PAGE_DEFAULT_LIMIT = 20;
export const DELIVERY_PAGE_MAX_LIMIT = 100;

export type WebhookAttemptRow = {
  id: string;
  attempt: number;
  /** Null when no response came (connection refused, timeout, refused by the URL guard). */
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  createdAt: string;
};

export type WebhookDeliveryRow = {
  /** The OutboxMessage id (what "Replay" names). */
  id: string;
  /** The `svix-id` receivers see: the same on every retry and replay of one event. */
  msgId: string | null;
  eventType: string;
  status: OutboxStatus;
  attempts: number;
  /** When the next try is due, while pending. */
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
  /** The JSON body as POSTed: { type, object: "event", data, timestamp }. */
  payload: unknown;
  /** Newest first. */
  attemptLog: WebhookAttemptRow[];
};

export type WebhookDeliveryPage = { deliveries: WebhookDeliveryRow[]; nextCursor: string | null };

export type WebhookDeliveryQuery = {
  cursor?: string | null;
  limit?: number;
  /** Only deliveries in this state. */
  status?: OutboxStatus;
};


async function assertEndpointExists(endpointId: string): Promise<void> {
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id: endpointId }, select: { id: true } });
  if (!endpoint) throw new AppError("not_found", "No such webhook endpoint.");
}

const deliverySelect = {
  id: true,
  template: true,
  payload: true,
  status: true,
  attempts: true,
  nextAttemptAt: true,
  lastError: true,
  sentAt: true,
  createdAt: true,
} satisfies Prisma.OutboxMessageSelect;

type DeliveryRecord = Prisma.OutboxMessageGetPayload<{ select: typeof deliverySelect }>;

/** The body the receiver gets (delivery.ts builds it from the stored event at each send). */
function sentBody(stored: Prisma.JsonValue): unknown {
  if (!stored || typeof stored !== "object" || Array.isArray(stored)) return stored;
  return JSON.parse(webhookBody(stored as unknown as WebhookEventPayload));
}

async function withAttempts(rows: DeliveryRecord[]): Promise<WebhookDeliveryRow[]> {
  const attempts = rows.length
    ? await db.webhookAttempt.findMany({
        where: { messageId: { in: rows.map((row) => row.id) } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      })
    : [];
  const byMessage = new Map<string, WebhookAttemptRow[]>();
  for (const attempt of attempts) {
    const list = byMessage.get(attempt.messageId) ?? [];
    list.push({
      id: attempt.id,
      attempt: attempt.attempt,
      statusCode: attempt.statusCode,
      latencyMs: attempt.latencyMs,
      responseExcerpt: attempt.responseExcerpt,
      createdAt: attempt.createdAt.toISOString(),
    });
    byMessage.set(attempt.messageId, list);
  }
  return rows.map((row) => {
    const msgId = (row.payload as { msgId?: unknown } | null)?.msgId;
    return {
      id: row.id,
      msgId: typeof msgId === "string" ? msgId : null,
      eventType: row.template,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
      lastError: row.lastError,
      sentAt: row.sentAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
      payload: sentBody(row.payload),
      attemptLog: byMessage.get(row.id) ?? [],
    };
  });
}

/** One page of an endpoint's deliveries, newest first; not_found for an unknown endpoint. */
export async function listWebhookDeliveries(endpointId: string, query: WebhookDeliveryQuery = {}): Promise<WebhookDeliveryPage> {
  await assertEndpointExists(endpointId);
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? DELIVERY_PAGE_DEFAULT_LIMIT), 1), DELIVERY_PAGE_MAX_LIMIT);
  const after = query.cursor ? decodeCreatedAtCursor(query.cursor) : null;
  const and: Prisma.OutboxMessageWhereInput[] = [{ channel: WEBHOOK_CHANNEL, to: endpointId }];
  if (query.status) and.push({ status: query.status });
  // Keyset: rows after (createdAt, id) in descending order; "createdAt <= k" alone is an index range.
  if (after) and.push({ createdAt: { lte: after.createdAt } }, { OR: [{ createdAt: { lt: after.createdAt } }, { id: { lt: after.id } }] });
  const rows = await db.outboxMessage.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: deliverySelect,
  });
  const page = rows.slice(0, limit);
  return { deliveries: await withAttempts(page), nextCursor: rows.length > limit ? encodeCreatedAtCursor(page[page.length - 1]!) : null };
}

/** One delivery of this endpoint, or null (another endpoint's message is not this one's). */
export async function findWebhookDelivery(endpointId: string, messageId: string): Promise<WebhookDeliveryRow | null> {
  const row = await db.outboxMessage.findFirst({ where: { id: messageId, channel: WEBHOOK_CHANNEL, to: endpointId }, select: deliverySelect });
  return row ? (await withAttempts([row]))[0]! : null;
}

/**
 * "Replay" in the delivery log: queues this endpoint's message again with the
 * same svix-id and payload (examples.ts). A message of another endpoint is
 * not_found here, whatever its id. Returns the new row's id.
 */
export async function replayWebhookDelivery(endpointId: string, messageId: string): Promise<{ messageId: string }> {
  const row = await db.outboxMessage.findFirst({ where: { id: messageId, channel: WEBHOOK_CHANNEL, to: endpointId }, select: { id: true } });
  if (!row) throw new AppError("not_found", "No such delivery for this endpoint.");
  return { messageId: await replayWebhookMessage(row.id) };
}
