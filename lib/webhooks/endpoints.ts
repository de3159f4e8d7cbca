import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { recordAuditEvent, type AuditEventType } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { safeText } from "@/lib/http";
import type { OutboxStatus, WebhookEndpoint } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { WEBHOOK_EVENT_TYPES, isWebhookEventType, type WebhookEventType } from "./event-types";
import { assertWebhookUrlAllowed } from "./url-guard";

/**
 * Webhook endpoints (S9), managed from /admin/webhooks: where events go, which
 * ones (an empty filter = every event, including types added later), and the
 * `whsec_` secret deliveries are signed with (stored encrypted). After a
 * rotation the previous secret keeps signing alongside the new one for
 * PREVIOUS_SECRET_GRACE_MS, so a receiver can switch without dropping a
 * delivery. Deliveries themselves are OutboxMessage rows (channel "webhook",
 * `to` = endpoint id): see deliveries.ts and delivery.ts.
 */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60_000;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 500;
export const WEBHOOK_CHANNEL = "webhook";

export type WebhookActor = { actorId: string; ip: string | null; userAgent: string | null; now?: Date };

/** "disabled" by an admin, "paused" by the circuit after days of failures (delivery.ts), else "active". */
export type WebhookEndpointStatus = "active" | "disabled" | "paused";

export type WebhookLastDelivery = {
  /** The OutboxMessage id. */
  messageId: string;
  eventType: string;
  status: OutboxStatus;
  createdAt: string;
  /** The latest attempt's HTTP status (null: no response, or no attempt yet). */
  statusCode: number | null;
  attemptedAt: string | null;
};

export type WebhookEndpointSummary = {
  id: string;
  url: string;
  description: string | null;
  /** Empty = every event. */
  events: WebhookEventType[];
  status: WebhookEndpointStatus;
  disabled: boolean;
  failingSince: string | null;
  pausedAt: string | null;
  createdAt: string;
  updatedAt: string;
  lastDelivery: WebhookLastDelivery | null;
};

export type WebhookEndpointDetail = WebhookEndpointSummary & {
  /** Until then the previous secret signs too (after a rotation). */
  previousSecretExpiresAt: string | null;
};

export type WebhookEndpointInput = { url: string; description?: string | null; events?: readonly string[] };
export type WebhookEndpointPatch = { url?: string; description?: string | null; events?: readonly string[]; disabled?: boolean };

/** `whsec_` + base64 of 24 random bytes: the format the svix libraries read (they base64-decode what follows the prefix). */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64")}`;
}

const NOT_FOUND = "No such webhook endpoint.";

function notFound(): never {
  throw new AppError("not_found", NOT_FOUND);
}

function fieldError(field: string, message: string): never {
  throw new AppError("validation_failed", message, { fields: { [field]: [message] } });
}

const ENDPOINT_ID = /^whe_[0-9A-Za-z]{1,40}$/;

/** A route's `[id]`: anything that is not an endpoint id cannot be one (not_found, as for a deleted endpoint). */
export function parseWebhookEndpointId(value: string): string {
  if (!ENDPOINT_ID.test(value)) notFound();
  return value;
}

/** Known types only, each once, in the catalogue's order (so "the same filter" compares equal). */
export function normalizeEventFilter(events: readonly string[]): WebhookEventType[] {
  const unknown = events.filter((type) => !isWebhookEventType(type));
  if (unknown.length > 0) fieldError("events", `Unknown event type: ${unknown.join(", ")}. Known: ${WEBHOOK_EVENT_TYPES.join(", ")}.`);
  return WEBHOOK_EVENT_TYPES.filter((type) => events.includes(type));
}

function normalizeDescription(value: string | null | undefined): string | null {
  const text = value?.trim() ?? "";
  if (text.length > WEBHOOK_DESCRIPTION_MAX_LENGTH) fieldError("description", `The description must be at most ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters.`);
  return text || null;
}

/** The URL as the audit log keeps it: no credentials or query string, which some receivers use for tokens. */
function auditedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function statusOf(row: Pick<WebhookEndpoint, "disabled" | "pausedAt">): WebhookEndpointStatus {
  if (row.disabled) return "disabled";
  return row.pausedAt ? "paused" : "active";
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

function toDetail(row: WebhookEndpoint, lastDelivery: WebhookLastDelivery | null): WebhookEndpointDetail {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events.filter(isWebhookEventType),
    status: statusOf(row),
    disabled: row.disabled,
    failingSince: iso(row.failingSince),
    pausedAt: iso(row.pausedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastDelivery,
    previousSecretExpiresAt: iso(row.previousSecretExpiresAt),
  };
}

/** Each endpoint's newest delivery (the (channel, to, createdAt) index) with its latest attempt. */
async function lastDeliveries(endpointIds: string[]): Promise<Map<string, WebhookLastDelivery>> {
  const messages = await Promise.all(
    endpointIds.map((id) =>
      db.outboxMessage.findFirst({
        where: { channel: WEBHOOK_CHANNEL, to: id },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { id: true, to: true, template: true, status: true, createdAt: true },
      }),
    ),
  );
  const found = messages.filter((message) => message !== null);
  const attempts = found.length
    ? await db.webhookAttempt.findMany({
        where: { messageId: { in: found.map((message) => message.id) } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { messageId: true, statusCode: true, createdAt: true },
      })
    : [];
  const latestAttempt = new Map<string, (typeof attempts)[number]>();
  for (const attempt of attempts) if (!latestAttempt.has(attempt.messageId)) latestAttempt.set(attempt.messageId, attempt);
  return new Map(
    found.map((message) => {
      const attempt = latestAttempt.get(message.id);
      return [
        message.to,
        {
          messageId: message.id,
          eventType: message.template,
          status: message.status,
          createdAt: message.createdAt.toISOString(),
          statusCode: attempt?.statusCode ?? null,
          attemptedAt: iso(attempt?.createdAt ?? null),
        },
      ];
    }),
  );
}

function audit(tx: Tx, actor: WebhookActor, type: AuditEventType, endpointId: string, data: Record<string, unknown>) {
  return recordAuditEvent({ type, actorId: actor.actorId, targetId: endpointId, ip: actor.ip, userAgent: actor.userAgent, data }, tx);
}

/** Every endpoint, oldest first, with its status and last delivery. */
export async function listWebhookEndpoints(): Promise<WebhookEndpointSummary[]> {
  const rows = await db.webhookEndpoint.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const last = await lastDeliveries(rows.map((row) => row.id));
  return rows.map((row) => {
    const { previousSecretExpiresAt: _previous, ...summary } = toDetail(row, last.get(row.id) ?? null);
    return summary;
  });
}

/** One endpoint; not_found when there is none. */
export async function getWebhookEndpoint(id: string): Promise<WebhookEndpointDetail> {
  const row = await db.webhookEndpoint.findUnique({ where: { id } });
  if (!row) notFound();
  return toDetail(row, (await lastDeliveries([row.id])).get(row.id) ?? null);
}

/** Creates an endpoint with a fresh secret (reveal it from the endpoint's page). The URL is checked first (url-guard.ts). */
export async function createWebhookEndpoint(input: WebhookEndpointInput, actor: WebhookActor): Promise<WebhookEndpointDetail> {
  const url = await assertWebhookUrlAllowed(input.url);
  const events = normalizeEventFilter(input.events ?? []);
  const description = normalizeDescription(input.description);
  const id = newId("webhookEndpoint");
  const secretEncrypted = encryptSecret(newWebhookSecret(), "webhook-secret");
  const row = await db.$transaction(async (tx) => {
    const created = await tx.webhookEndpoint.create({ data: { id, url, description, events, secretEncrypted } });
    await audit(tx, actor, "webhook.endpoint_created", id, { url: auditedUrl(url), events });
    return created;
  });
  return toDetail(row, null);
}

/**
 * Changes the URL, description, event filter or on/off state; only what
 * differs is written and audited (`data.fields`). Turning an endpoint on
 * also lifts a pause by the circuit and starts its failure count afresh.
 */
export async function updateWebhookEndpoint(id: string, patch: WebhookEndpointPatch, actor: WebhookActor): Promise<WebhookEndpointDetail> {
  const current = await db.webhookEndpoint.findUnique({ where: { id } });
  if (!current) notFound();
  const data: { url?: string; description?: string | null; events?: WebhookEventType[]; disabled?: boolean; pausedAt?: null; failingSince?: null } = {};
  if (patch.url !== undefined) {
    const url = await assertWebhookUrlAllowed(patch.url);
    if (url !== current.url) data.url = url;
  }
  if (patch.description !== undefined) {
    const description = normalizeDescription(patch.description);
    if (description !== current.description) data.description = description;
  }
  if (patch.events !== undefined) {
    const events = normalizeEventFilter(patch.events);
    if (events.join(",") !== current.events.join(",")) data.events = events;
  }
  if (patch.disabled === true && !current.disabled) data.disabled = true;
  if (patch.disabled === false) {
    if (current.disabled) data.disabled = false;
    if (current.pausedAt) data.pausedAt = null;
    // Back on: the circuit counts failures from now, not from before the pause.
    if (current.disabled || current.pausedAt) data.failingSince = null;
  }
  const fields = Object.keys(data).filter((field) => field !== "failingSince");
  if (fields.length === 0) return getWebhookEndpoint(id);

  await db.$transaction(async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({ where: { id }, data });
    if (count === 0) notFound();
    const change: Record<string, unknown> = { fields };
    if (data.url) change.url = auditedUrl(data.url);
    if (data.events) change.events = data.events;
    if (data.disabled !== undefined) change.disabled = data.disabled;
    await audit(tx, actor, "webhook.endpoint_updated", id, change);
  });
  return getWebhookEndpoint(id);
}

/** Turns an endpoint on again, whether an admin disabled it or the circuit paused it: clears pausedAt and failingSince. */
export function enableWebhookEndpoint(id: string, actor: WebhookActor): Promise<WebhookEndpointDetail> {
  return updateWebhookEndpoint(id, { disabled: false }, actor);
}

export function disableWebhookEndpoint(id: string, actor: WebhookActor): Promise<WebhookEndpointDetail> {
  return updateWebhookEndpoint(id, { disabled: true }, actor);
}

/**
 * Deletes the endpoint, its attempts (cascade) and its queued and finished
 * deliveries (their payloads hold user data). A delivery being sent right
 * now stays for its worker, which fails it: the endpoint is gone.
 */
export async function deleteWebhookEndpoint(id: string, actor: WebhookActor): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.webhookEndpoint.findUnique({ where: { id }, select: { url: true } });
    if (!row) notFound();
    await tx.outboxMessage.deleteMany({ where: { channel: WEBHOOK_CHANNEL, to: id, status: { not: "sending" } } });
    await tx.webhookEndpoint.delete({ where: { id } });
    await audit(tx, actor, "webhook.endpoint_deleted", id, { url: auditedUrl(row.url) });
  });
}

/** The current signing secret in clear, for the receiver's configuration (the route asks for step-up first). */
export async function revealWebhookSecret(id: string): Promise<{ secret: string }> {
  const row = await db.webhookEndpoint.findUnique({ where: { id }, select: { secretEncrypted: true } });
  if (!row) notFound();
  return { secret: decryptSecret(row.secretEncrypted, "webhook-secret") };
}

/**
 * A new signing secret, returned once here (and by reveal later). The old one
 * keeps signing next to it for PREVIOUS_SECRET_GRACE_MS; a second rotation
 * within that time replaces it (only the latest previous secret is kept).
 */
export async function rotateWebhookSecret(id: string, actor: WebhookActor): Promise<{ secret: string; previousSecretExpiresAt: string }> {
  const now = actor.now ?? new Date();
  const secret = newWebhookSecret();
  const previousSecretExpiresAt = new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS);
  await db.$transaction(async (tx) => {
    const row = await tx.webhookEndpoint.findUnique({ where: { id }, select: { secretEncrypted: true } });
    if (!row) notFound();
    // Conditional on the secret read: of two rotations at once, one wins and the other is told, instead of
    // one silently keeping as "previous" a secret nobody was shown.
    const { count } = await tx.webhookEndpoint.updateMany({
      where: { id, secretEncrypted: row.secretEncrypted },
      data: { secretEncrypted: encryptSecret(secret, "webhook-secret"), previousSecretEncrypted: row.secretEncrypted, previousSecretExpiresAt },
    });
    if (count === 0) throw new AppError("conflict", "The secret was rotated at the same moment. Reload the page and try again.");
    await audit(tx, actor, "webhook.secret_rotated", id, { previousSecretExpiresAt: previousSecretExpiresAt.toISOString() });
  });
  return { secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() };
}

/**
 * Request fields for the create and edit routes (app/api/admin/webhooks):
 * unknown event types are named under "events" (not "events.3"), and the
 * domain re-checks everything above.
 */
export const webhookEndpointFields = {
  url: safeText({ max: 2048, min: 1, label: "URL" }),
  description: safeText({ max: WEBHOOK_DESCRIPTION_MAX_LENGTH, label: "Description" }).nullable().optional(),
  events: z
    .array(safeText({ max: 64, label: "Event type" }), { error: "Events must be a list of event types." })
    .max(WEBHOOK_EVENT_TYPES.length * 2, "Too many event types.")
    .refine((events) => events.every(isWebhookEventType), { message: `Unknown event type. Known: ${WEBHOOK_EVENT_TYPES.join(", ")}.` })
    .optional(),
};
