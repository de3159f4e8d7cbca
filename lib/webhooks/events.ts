import "server-only";
import type { Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { kickBackgroundWork } from "@/lib/background/kick";
import { readUserResource } from "@/lib/users/resource";
import { SESSION_RESOURCE_SELECT, toSessionResource } from "@/lib/session/resource";
import type { WebhookEventType } from "./event-types";

/**
 * Webhook events (S9), written by the one domain function behind each change,
 * in the SAME transaction as the change: an event exists exactly when the
 * change committed. Each subscribed endpoint gets its own queue row (channel
 * "webhook", `to` = endpoint id, `template` = event type) carrying the same
 * message id, which becomes the `svix-id` header on every attempt and replay.
 */

/** What a webhook queue row holds; the body sent is built from it at delivery (lib/webhooks/delivery.ts). */
export type WebhookEventPayload = {
  /** `msg_...`: the svix-id, shared by every endpoint's row of one event. */
  msgId: string;
  type: WebhookEventType;
  data: unknown;
  /** When the event happened, Unix milliseconds. */
  timestamp: number;
};

/** Enabled, un-paused endpoints whose filter takes `type` (an empty filter takes every event). */
function subscribedEndpoints(tx: Tx, type: WebhookEventType): Promise<{ id: string }[]> {
  return tx.webhookEndpoint.findMany({
    where: { disabled: false, pausedAt: null, OR: [{ events: { isEmpty: true } }, { events: { has: type } }] },
    select: { id: true },
  });
}

/** The queue row delivering `event` to one endpoint. */
export function webhookRow(endpointId: string, event: WebhookEventPayload, now: Date) {
  return {
    id: newId("outbox"),
    channel: "webhook",
    to: endpointId,
    template: event.type,
    payload: event as object,
    nextAttemptAt: now,
    createdAt: now,
  };
}

/** A new event (new message id) of `type` happening `now`. */
export function newWebhookEvent(type: WebhookEventType, data: unknown, now = new Date()): WebhookEventPayload {
  return { msgId: newId("webhookMessage"), type, data, timestamp: now.getTime() };
}

/** Writes one queue row per endpoint for each event; the drain is kicked for after the response. */
async function enqueueEvents(tx: Tx, endpointIds: string[], events: WebhookEventPayload[], now: Date): Promise<void> {
  const rows = events.flatMap((event) => endpointIds.map((to) => webhookRow(to, event, now)));
  if (rows.length === 0) return;
  await tx.outboxMessage.createMany({ data: rows });
  // From inside a transaction: only after the response (it has committed by then), never a drain
  // now that would not see these rows; without a request, the loop or the next kick sends them.
  kickBackgroundWork({ onlyAfterResponse: true });
}

/**
 * Emits `type` to every subscribed endpoint inside the caller's transaction
 * (use `tx` only; never `db` in there). `data` may be a function: it then runs
 * only when some endpoint wants the event, so a change with no webhook
 * configured costs one small query. Null data (the row is gone) emits nothing.
 * Returns the message id, or null when nothing was written.
 */
export async function emitWebhookEvent(
  tx: Tx,
  type: WebhookEventType,
  data: unknown | (() => Promise<unknown>),
  now = new Date(),
): Promise<string | null> {
  const endpoints = await subscribedEndpoints(tx, type);
  if (endpoints.length === 0) return null;
  const resolved = typeof data === "function" ? await (data as () => Promise<unknown>)() : data;
  if (resolved === null || resolved === undefined) return null;
  const event = newWebhookEvent(type, resolved, now);
  await enqueueEvents(tx, endpoints.map((endpoint) => endpoint.id), [event], now);
  return event.msgId;
}

/**
 * `emitWebhookEvent` for many changes of one type at once (a batch of
 * accounts made together, lib/users createUsers): one endpoint lookup and one
 * insert for all, still ONE event (its own message id) per item. `data` runs
 * only when some endpoint wants the type; null items emit nothing. Returns the
 * message ids written.
 */
export async function emitWebhookEvents(tx: Tx, type: WebhookEventType, data: () => Promise<unknown[]>, now = new Date()): Promise<string[]> {
  const endpoints = await subscribedEndpoints(tx, type);
  if (endpoints.length === 0) return [];
  const events = (await data()).filter((item) => item !== null && item !== undefined).map((item) => newWebhookEvent(type, item, now));
  await enqueueEvents(tx, endpoints.map((endpoint) => endpoint.id), events, now);
  return events.map((event) => event.msgId);
}

/**
 * The database round trip of an emit that found no endpoint to write for:
 * a path that must cost what its twin costs (S10 timing, `enqueueNothing`)
 * looks the endpoints up and writes nothing.
 */
export async function emitNothing(tx: Tx, type: WebhookEventType): Promise<void> {
  const endpoints = await subscribedEndpoints(tx, type);
  if (endpoints.length > 0) await tx.outboxMessage.updateMany({ where: { id: newId("outbox") }, data: { attempts: 0 } });
}

/** `user.updated` with the user as it is now in the transaction (nothing if the user is gone). */
export function emitUserUpdated(tx: Tx, userId: string, now = new Date()): Promise<string | null> {
  return emitWebhookEvent(tx, "user.updated", () => readUserResource(tx, userId), now);
}

/**
 * One session event per session matching `where`, as it will be once the
 * caller's update ran: call it BEFORE the update that ends or revokes them
 * (with that update's `where`), and after creating one for `session.created`.
 * Returns the message ids.
 */
export async function emitSessionEvents(
  tx: Tx,
  type: "session.created" | "session.ended" | "session.revoked",
  where: Prisma.SessionWhereInput,
  now = new Date(),
): Promise<string[]> {
  const endpoints = await subscribedEndpoints(tx, type);
  if (endpoints.length === 0) return [];
  const sessions = await tx.session.findMany({ where, select: SESSION_RESOURCE_SELECT, orderBy: { createdAt: "asc" } });
  const ending = type === "session.created" ? null : type === "session.ended" ? "ended" : "revoked";
  const events = sessions.map((session) =>
    newWebhookEvent(type, toSessionResource(ending ? { ...session, status: ending, updatedAt: now } : session), now),
  );
  await enqueueEvents(tx, endpoints.map((endpoint) => endpoint.id), events, now);
  return events.map((event) => event.msgId);
}
