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

/**
 * The `svix-signature` header: one `v1,<base64>` per signer, space-separated.
 * The body is hashed as given (a Buffer as sent, or a string as UTF-8), after
 * the `${msgId}.${timestamp}.` prefix: no copy of the body into one signed string.
 */
export function webhookSignature(signers: WebhookSigners, msgId: string, timestampSeconds: number, body: string | Buffer): string {
  const prefix = `${msgId}.${timestampSeconds}.`;
  let header = "";
  for (const key of signers) {
    header += `${header ? " " : ""}v1,${crypto.createHmac("sha256", key).update(prefix).update(body).digest("base64")}`;
  }
  return header;
}

/** Headers every request carries, before the per-message ones (undici takes a flat name/value list). */
const FIXED_HEADERS = ["content-type", "application/json", "user-agent", WEBHOOK_USER_AGENT] as const;

type Target = { origin: string; path: string };
/** Endpoint URLs parsed once, not at every send (a fan-out posts thousands of times to one URL). */
const targets = new Map<string, Target>();
const TARGETS_KEPT = 1_000;

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    if (targets.size >= TARGETS_KEPT) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/**
 * POSTs one event to `url`, signed by every signer; never throws: a network
 * error is a response with a null status. Redirects are not followed (a
 * 3xx is a failed attempt): the URL checked is the URL called.
 */
export function postWebhook(
  url: string,
  payload: WebhookEventPayload,
  signers: WebhookSigners,
  options: { timeoutMs?: number } = {},
): Promise<WebhookResponse> {
  // Encoded once: hashed for the signature and written to the socket as these bytes.
  const body = Buffer.from(webhookBody(payload));
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = [...FIXED_HEADERS, "svix-id", payload.msgId, "svix-timestamp", String(timestamp), "svix-signature", webhookSignature(signers, payload.msgId, timestamp, body)];
  let target: Target;
  try {
    target = targetOf(url);
  } catch (error) {
    return Promise.resolve({ statusCode: null, latencyMs: 0, excerpt: networkError(error), ok: false });
  }
  return post(target, headers, body, options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
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

/** A request in flight in its time limit's list. */
type InFlight = { deadline: number; expire: () => void; prev: InFlight | null; next: InFlight | null; listed: boolean };

/**
 * The time limits of the requests in flight with one limit: requests expire
 * in the order they started, so one list (oldest first) and ONE timer, armed
 * for the oldest, serve them all. A timer per request was an async resource
 * per delivery, and with async context tracking on (Next keeps several
 * AsyncLocalStorage instances enabled in the server) every async resource
 * and promise costs a propagation through each of them: measured, that
 * tracking was the largest part of a fan-out's CPU per delivery in the server.
 */
class Deadlines {
  private head: InFlight | null = null;
  private tail: InFlight | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly limitMs: number) {}

  add(expire: () => void): InFlight {
    const entry: InFlight = { deadline: performance.now() + this.limitMs, expire, prev: this.tail, next: null, listed: true };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) this.arm();
    return entry;
  }

  remove(entry: InFlight): void {
    if (!entry.listed) return;
    entry.listed = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = null;
    // Nothing left in flight: no timer keeps the process alive (the timer for an earlier head just fires early and re-arms).
    if (!this.head && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private arm(): void {
    this.timer = setTimeout(() => this.expireDue(), Math.max(0, this.head!.deadline - performance.now()));
  }

  private expireDue(): void {
    this.timer = null;
    const now = performance.now();
    while (this.head && this.head.deadline <= now) {
      const entry = this.head;
      this.remove(entry);
      entry.expire();
    }
    if (this.head && !this.timer) this.arm();
  }
}

const deadlinesByLimit = new Map<number, Deadlines>();

function deadlinesFor(limitMs: number): Deadlines {
  let deadlines = deadlinesByLimit.get(limitMs);
  if (!deadlines) deadlinesByLimit.set(limitMs, (deadlines = new Deadlines(limitMs)));
  return deadlines;
}

/**
 * One request through undici's handler API (no stream or promise per
 * response); never rejects: a network error or the time limit is a
 * response with a null status. The time limit covers everything, waiting
 * for a connection included (see Deadlines).
 */
function post(target: Target, headers: string[], body: Buffer, timeoutMs: number): Promise<WebhookResponse> {
  const started = performance.now();
  return new Promise((resolve) => {
    let controller: Dispatcher.DispatchController | null = null;
    let settled = false;
    let statusCode = 0;
    let bytes = 0;
    let kept: Buffer[] | null = null;
    let keptBytes = 0;
    const excerpt = () => (kept ? Buffer.concat(kept).toString("utf8").slice(0, RESPONSE_EXCERPT_MAX) : "");
    const settle = (error: unknown) => {
      if (settled) return;
      settled = true;
      deadlines.remove(inFlight);
      const latencyMs = Math.round(performance.now() - started);
      if (error) resolve({ statusCode: null, latencyMs, excerpt: networkError(error), ok: false });
      else resolve({ statusCode, latencyMs, excerpt: excerpt() || null, ok: statusCode >= 200 && statusCode < 300 });
    };
    const deadlines = deadlinesFor(timeoutMs);
    const inFlight = deadlines.add(() => {
      const error = new WebhookTimeoutError();
      settle(error);
      controller?.abort(error);
    });
    try {
      dispatcher.dispatch(
        { origin: target.origin, path: target.path, method: "POST", headers, body },
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
    } catch (error) {
      settle(error);
    }
  });
}
