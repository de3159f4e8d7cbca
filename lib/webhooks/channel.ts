import "server-only";
import { db, getPgPool } from "@/lib/db";
import { decryptSecret } from "@/lib/crypto";
import { newIds } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { GiveUpError, type ChannelBatch, type QueueChannel, type QueueRow } from "@/lib/queue";
import { postWebhook, webhookSigners, type WebhookResponse, type WebhookSigners } from "./delivery";
import type { WebhookEventPayload } from "./events";
import { assertDeliverableUrl } from "./url-guard";

/**
 * The webhook channel of the queue (S9): each row (channel "webhook", `to` =
 * endpoint id) is one event for one endpoint. Every attempt is logged
 * (WebhookAttempt: status, latency, response excerpt); 2xx delivers, anything
 * else is retried on Svix's schedule, then failed.
 */

/** Delays before retry n (after failed attempt n), as Svix: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then failed. */
export const WEBHOOK_RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000];
/**
 * The circuit: an endpoint that has failed every delivery since this long ago
 * (`failingSince`, cleared by any success) is paused at its next failure: its
 * pending messages are failed and nothing more is sent or queued to it until
 * an admin enables it again. Longer than one message's whole retry schedule
 * (about 28 h), so one bad event never trips it; only a receiver gone for days.
 */
export const WEBHOOK_CIRCUIT_OPEN_AFTER_MS = 5 * 24 * 3_600_000;
/**
 * Deliveries in flight at once per lane; two lanes run side by side, so up to 64 per drain (the
 * connections undici keeps per receiver origin, lib/webhooks/send-worker.mjs). Measured (npm run bench):
 * 16 per lane kept a fan-out well under half of what a receiver that verifies and stores each event
 * can take; 32 per lane roughly doubles it. A lane refills across batches (lib/queue drainLane).
 */
export const WEBHOOK_CONCURRENCY = 32;
const WEBHOOK_LANES = 2;
/**
 * Rows claimed per batch. With the lease (2 min) it bounds the worst case: when
 * every receiver times out, a row waits at most for the rows ahead of it in its
 * batch and the previous batch's last ones (the next batch is claimed while 32
 * rows of one are left to start, lib/queue drainLane), so the last row of a
 * batch is done after (2 + ceil(100 / 32)) x 15 s = 90 s, within the lease.
 */
export const WEBHOOK_BATCH_SIZE = 100;

export type WebhookChannelOptions = {
  /** Per-request time limit (default WEBHOOK_TIMEOUT_MS). */
  timeoutMs?: number;
  concurrency?: number;
};

type Endpoint = {
  id: string;
  url: string;
  secretEncrypted: string;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
  disabled: boolean;
  failingSince: Date | null;
  pausedAt: Date | null;
};

const PAUSED_MESSAGE = "The endpoint is paused: it failed every delivery for 5 days. Enable it again to resume.";

export function webhookChannel(options: WebhookChannelOptions = {}): QueueChannel {
  return {
    name: "webhook",
    retryDelaysMs: WEBHOOK_RETRY_DELAYS_MS,
    concurrency: options.concurrency ?? WEBHOOK_CONCURRENCY,
    batchSize: WEBHOOK_BATCH_SIZE,
    lanes: WEBHOOK_LANES,
    openBatch: (rows, now) => openWebhookBatch(rows, now, options),
    onGiveUp: (row, reason) =>
      console.warn(`[webhooks] giving up on ${row.id} (${row.template}) to ${row.to} after ${row.attempts} attempts: ${reason}`),
  };
}

/** Why a row cannot go to this endpoint at all (no send, the row fails now), or null. */
function undeliverable(endpoint: Endpoint | undefined): string | null {
  if (!endpoint) return "The endpoint was deleted.";
  if (endpoint.disabled) return "The endpoint is disabled.";
  if (endpoint.pausedAt) return PAUSED_MESSAGE;
  return null;
}

function signersFor(endpoint: Endpoint, now: Date): WebhookSigners {
  const secrets = [decryptSecret(endpoint.secretEncrypted, "webhook-secret")];
  if (endpoint.previousSecretEncrypted && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(decryptSecret(endpoint.previousSecretEncrypted, "webhook-secret"));
  }
  return webhookSigners(secrets);
}

/** Once per batch and endpoint: the endpoint row, its signers and its URL check are shared by all its rows. */
async function openWebhookBatch(rows: QueueRow[], now: Date, options: WebhookChannelOptions): Promise<ChannelBatch> {
  const endpointIds = [...new Set(rows.map((row) => row.to))];
  // node-postgres on this path (and in close), not Prisma: see getPgPool. Timestamps come back as timestamptz (UTC).
  const { rows: endpointRows } = await getPgPool().query<Endpoint>({
    // Named: prepared once per connection (as the queue's own statements).
    name: "webhook-endpoints",
    text: `SELECT id, url, "secretEncrypted", "previousSecretEncrypted", "previousSecretExpiresAt" AT TIME ZONE 'UTC' AS "previousSecretExpiresAt",
      disabled, "failingSince" AT TIME ZONE 'UTC' AS "failingSince", "pausedAt" AT TIME ZONE 'UTC' AS "pausedAt"
    FROM "WebhookEndpoint" WHERE id = ANY($1::text[])`,
    values: [endpointIds],
  });
  const endpoints = new Map<string, Endpoint>(endpointRows.map((endpoint) => [endpoint.id, endpoint]));
  const signers = new Map<string, WebhookSigners>();
  const urlChecks = new Map<string, Promise<string | null>>();
  /** Settled URL checks, read without an await per send. */
  const urlRefusals = new Map<string, string | null>();
  const attempts: AttemptRow[] = [];
  /** Each endpoint's latest outcome in this batch: true = delivered. */
  const lastOutcome = new Map<string, boolean>();
  const pausing = new Set<string>();

  // The SSRF rule again at send time (DNS may have changed since the URL was saved): null = allowed, else why not.
  const checkUrl = (endpoint: Endpoint) => {
    let check = urlChecks.get(endpoint.id);
    if (!check) {
      check = assertDeliverableUrl(endpoint.url).then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      void check.then((refusal) => urlRefusals.set(endpoint.id, refusal));
      urlChecks.set(endpoint.id, check);
    }
    return check;
  };

  /** Logs one attempt; throws (a failed attempt, or a GiveUpError when the circuit opens) unless it delivered. */
  const recordAttempt = (row: QueueRow, endpoint: Endpoint, response: WebhookResponse): void => {
    attempts.push({
      messageId: row.id,
      endpointId: endpoint.id,
      attempt: row.attempts,
      statusCode: response.statusCode,
      latencyMs: response.latencyMs,
      responseExcerpt: response.excerpt,
      createdAt: new Date(),
    });
    lastOutcome.set(endpoint.id, response.ok);
    if (response.ok) return;
    const reason = response.statusCode === null ? (response.excerpt ?? "No response.") : `HTTP ${response.statusCode}${response.excerpt ? `: ${response.excerpt.slice(0, 200)}` : ""}`;
    if (endpoint.failingSince && now.getTime() - endpoint.failingSince.getTime() >= WEBHOOK_CIRCUIT_OPEN_AFTER_MS) {
      pausing.add(endpoint.id);
      throw new GiveUpError(`${reason} — ${PAUSED_MESSAGE}`);
    }
    throw new Error(reason);
  };

  const send = (row: QueueRow): Promise<void> => {
    const endpoint = endpoints.get(row.to);
    const refusal = pausing.has(row.to) ? PAUSED_MESSAGE : undeliverable(endpoint);
    if (refusal || !endpoint) return Promise.reject(new GiveUpError(refusal ?? "The endpoint was deleted."));
    // The endpoint's URL check, once per batch: the first sends wait for it, the others read its result.
    if (!urlRefusals.has(endpoint.id)) return checkUrl(endpoint).then(() => send(row));
    const refusedUrl = urlRefusals.get(endpoint.id) ?? null;
    if (refusedUrl) {
      try {
        recordAttempt(row, endpoint, { statusCode: null, latencyMs: 0, excerpt: `Not sent: ${refusedUrl}`, ok: false });
      } catch (error) {
        return Promise.reject(error);
      }
      return Promise.resolve();
    }
    let endpointSigners = signers.get(endpoint.id);
    if (!endpointSigners) signers.set(endpoint.id, (endpointSigners = signersFor(endpoint, now)));
    // A plain promise chain, no async function: each promise is an async resource with Next's context tracking on (see delivery.ts).
    return postWebhook(endpoint.url, row.payload as WebhookEventPayload, endpointSigners, { timeoutMs: options.timeoutMs }).then((response) =>
      recordAttempt(row, endpoint, response),
    );
  };

  return {
    send,

    // Before the rows are marked: a crash here re-sends (at-least-once), it never loses a message.
    async close() {
      if (attempts.length > 0) await logAttempts(attempts, lastOutcome, now);
      for (const endpointId of pausing) await pauseEndpoint(endpoints.get(endpointId)!, now);
    },
  };
}

type AttemptRow = {
  messageId: string;
  endpointId: string;
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  createdAt: Date;
};

/**
 * A batch's delivery log and each endpoint's failure run (`failingSince`:
 * cleared by a success, started by a failure) in one statement: a fan-out
 * writes many rows per second. The endpoint writes are conditional, not what
 * this batch read: a batch running alongside may have changed them since.
 */
async function logAttempts(attempts: AttemptRow[], lastOutcome: Map<string, boolean>, now: Date): Promise<void> {
  const column = <T>(pick: (attempt: AttemptRow) => T) => attempts.map(pick);
  // One random draw for the batch (newIds): one randomBytes call and one base62 encoding per id showed in a fan-out.
  const ids = newIds("webhookAttempt", attempts.length);
  const updatedAt = new Date().toISOString();
  // Timestamps as ISO text: the columns are timestamp(3) holding UTC, and the cast drops the "Z".
  await getPgPool().query({
    name: "webhook-log-attempts",
    text: `WITH logged AS (
      INSERT INTO "WebhookAttempt" (id, "messageId", "endpointId", attempt, "statusCode", "latencyMs", "responseExcerpt", "createdAt")
      SELECT id, "messageId", "endpointId", attempt, "statusCode", "latencyMs", "responseExcerpt", "createdAt"::timestamp(3)
      FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[])
        AS attempt(id, "messageId", "endpointId", attempt, "statusCode", "latencyMs", "responseExcerpt", "createdAt")
    )
    UPDATE "WebhookEndpoint" AS endpoint
    SET "failingSince" = CASE WHEN outcome.delivered THEN NULL ELSE $9::timestamp(3) END, "updatedAt" = $10::timestamp(3)
    FROM unnest($11::text[], $12::boolean[]) AS outcome(id, delivered)
    WHERE endpoint.id = outcome.id AND (endpoint."failingSince" IS NULL) = NOT outcome.delivered`,
    values: [
      ids,
      column((a) => a.messageId),
      column((a) => a.endpointId),
      column((a) => a.attempt),
      column((a) => a.statusCode),
      column((a) => a.latencyMs),
      column((a) => a.responseExcerpt),
      column((a) => a.createdAt.toISOString()),
      now.toISOString(),
      updatedAt,
      [...lastOutcome.keys()],
      [...lastOutcome.values()],
    ],
  });
}

/** The circuit opens: the endpoint is paused (audited once) and its waiting messages are failed. */
async function pauseEndpoint(endpoint: Endpoint, now: Date): Promise<void> {
  const url = new URL(endpoint.url);
  await db.$transaction(async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, pausedAt: null }, data: { pausedAt: now } });
    if (count === 0) return; // another worker paused it first
    await tx.outboxMessage.updateMany({
      where: { channel: "webhook", to: endpoint.id, status: "pending" },
      data: { status: "failed", lastError: PAUSED_MESSAGE },
    });
    await recordAuditEvent(
      {
        type: "webhook.endpoint_paused",
        targetId: endpoint.id,
        // Without credentials or query string (some receivers put a token there), as the endpoint's own audit events.
        data: { url: `${url.origin}${url.pathname}`, failingSince: endpoint.failingSince?.toISOString() ?? null },
      },
      tx,
    );
  });
}
