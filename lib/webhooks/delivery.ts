import "server-only";
import crypto from "node:crypto";
import { Agent, type Dispatcher } from "undici";
import { Webhook } from "svix";
import type { WebhookEventPayload } from "./events";
import { guardedLookup } from "./url-guard";

/**
 * One webhook request (S9), Svix-compatible so any receiver using the
 * official `svix` verifier accepts it: the JSON body
 * `{"type","object":"event","data","timestamp"}` POSTed with `svix-id` (the
 * event's message id: the same on every retry and replay, and for every
 * endpoint of one event), `svix-timestamp` (send time, Unix seconds) and
 * `svix-signature`, svix's v1 scheme (see webhookSigners).
 */

/** A receiver that has not answered within this long is a failed attempt. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
/** The first characters of a response kept in the delivery log. */
export const RESPONSE_EXCERPT_MAX = 500;
/** Read at most this much of a response; the rest is dropped with the connection. */
const RESPONSE_READ_MAX_BYTES = 64 * 1024;
/** Bytes kept for the excerpt: RESPONSE_EXCERPT_MAX UTF-16 units never take more than 4 bytes each in UTF-8. */
const EXCERPT_MAX_BYTES = RESPONSE_EXCERPT_MAX * 4;
export const WEBHOOK_USER_AGENT = "AuthPortal-Webhooks/1.0 (svix-compatible)";
/** Connections kept per receiver origin: the channel's lanes x concurrency (lib/webhooks/channel.ts). */
const CONNECTIONS_PER_ORIGIN = 64;

/**
 * undici's pool per origin, not node:http: a fan-out to one receiver is bound by
 * the portal's CPU per request, and undici's dispatch took about 20 µs of CPU
 * per request to a local server where http.request with AbortSignal.timeout
 * took about 70 (bench/webhook-fanout.mjs measures the whole drain). Keep-alive, no
 * pipelining (a receiver may answer slowly; one request per connection at a
 * time, as before). Every NEW connection resolves its host through
 * guardedLookup: the address connected to is the address checked, so a DNS
 * answer that changed since assertDeliverableUrl (rebinding) reaches nothing
 * private; a kept-alive connection stays on the address checked when it opened.
 * Redirects are not followed (undici's dispatch never does).
 */
const dispatcher = new Agent({
  connections: CONNECTIONS_PER_ORIGIN,
  pipelining: 1,
  connect: { lookup: guardedLookup },
});

/** The request body of an event, as sent and as signed. */
export function webhookBody(payload: Pick<WebhookEventPayload, "type" | "data" | "timestamp">): string {
  return JSON.stringify({ type: payload.type, object: "event", data: payload.data, timestamp: payload.timestamp });
}

export type WebhookResponse = {
  /** HTTP status; null when no response came (refused, reset, timeout). */
  statusCode: number | null;
  latencyMs: number;
  /** The response's first characters, or the network error. */
  excerpt: string | null;
  ok: boolean;
};

/**
 * Signers for an endpoint's secrets, made once per endpoint and batch. With
 * two (a rotation's overlap: the current and the previous secret), the
 * `svix-signature` header carries both, space-separated ("v1,a v1,b"), so
 * receivers verify with either.
 *
 * Each is svix's v1 signature computed with node:crypto: base64 of
 * HMAC-SHA256 over `${svix-id}.${svix-timestamp}.${body}`, keyed with the
 * base64-decoded secret after `whsec_`, exactly what `Webhook#sign` of the
 * `svix` package computes (delivery.test.ts compares the two on many inputs).
 * Why not call it: it hashes in pure JavaScript (fast-sha256), several times
 * the cost of OpenSSL's HMAC, on every delivery of a fan-out. The secret is
 * still parsed by svix's own constructor, so one it would refuse is refused here.
 */
export type WebhookSigners = readonly Buffer[];

export function webhookSigners(secrets: readonly string[]): WebhookSigners {
  return secrets.map((secret) => {
    new Webhook(secret); // throws on a secret svix would not accept
    return Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
  });
}

/** The `svix-signature` header: one `v1,<base64>` per signer, space-separated. */
export function webhookSignature(signers: WebhookSigners, msgId: string, timestampSeconds: number, body: string): string {
  const signed = `${msgId}.${timestampSeconds}.${body}`;
  let header = "";
  for (const key of signers) {
    header += `${header ? " " : ""}v1,${crypto.createHmac("sha256", key).update(signed).digest("base64")}`;
  }
  return header;
}

/** Headers every request carries, before the per-message ones (undici takes a flat name/value list). */
const FIXED_HEADERS = ["content-type", "application/json", "user-agent", WEBHOOK_USER_AGENT] as const;

/**
 * POSTs one event to `url`, signed by every signer; never throws: a network
 * error is a response with a null status. Redirects are not followed (a
 * 3xx is a failed attempt): the URL checked is the URL called.
 */
export async function postWebhook(
  url: string,
  payload: WebhookEventPayload,
  signers: WebhookSigners,
  options: { timeoutMs?: number } = {},
): Promise<WebhookResponse> {
  const body = webhookBody(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = [...FIXED_HEADERS, "svix-id", payload.msgId, "svix-timestamp", String(timestamp), "svix-signature", webhookSignature(signers, payload.msgId, timestamp, body)];
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  try {
    const { statusCode, excerpt } = await post(new URL(url), headers, body, options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    return { statusCode, latencyMs: latency(), excerpt: excerpt || null, ok: statusCode >= 200 && statusCode < 300 };
  } catch (error) {
    return { statusCode: null, latencyMs: latency(), excerpt: networkError(error), ok: false };
  }
}

function networkError(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "No response within the time limit (timeout).";
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, RESPONSE_EXCERPT_MAX);
}

class WebhookTimeoutError extends Error {
  constructor() {
    super("No response within the time limit.");
    this.name = "TimeoutError";
  }
}

/**
 * One request through undici's handler API (no stream or promise per
 * response). The time limit covers everything, waiting for a connection
 * included: one timer per request that aborts it.
 */
function post(url: URL, headers: string[], body: string, timeoutMs: number): Promise<{ statusCode: number; excerpt: string }> {
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | null = null;
    let settled = false;
    let statusCode = 0;
    let bytes = 0;
    let kept: Buffer[] | null = null;
    let keptBytes = 0;
    const excerpt = () => (kept ? Buffer.concat(kept).toString("utf8").slice(0, RESPONSE_EXCERPT_MAX) : "");
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve({ statusCode, excerpt: excerpt() });
    };
    const timer = setTimeout(() => {
      const error = new WebhookTimeoutError();
      settle(error);
      controller?.abort(error);
    }, timeoutMs);
    dispatcher.dispatch(
      { origin: url.origin, path: `${url.pathname}${url.search}`, method: "POST", headers, body },
      {
        onRequestStart(started) {
          controller = started;
          // Timed out while waiting for a connection.
          if (settled) started.abort(new WebhookTimeoutError());
        },
        onResponseStart(_controller, status) {
          statusCode = status;
        },
        onResponseData(current, chunk) {
          bytes += chunk.length;
          if (keptBytes < EXCERPT_MAX_BYTES) {
            (kept ??= []).push(chunk);
            keptBytes += chunk.length;
          }
          if (bytes > RESPONSE_READ_MAX_BYTES) {
            // Enough: the status is what counts; the rest goes with the connection.
            settle(null);
            current.abort(new Error("Response too large; the rest was not read."));
          }
        },
        onResponseEnd() {
          settle(null);
        },
        onResponseError(_controller, error) {
          settle(error);
        },
      },
    );
  });
}
