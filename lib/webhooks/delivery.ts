import "server-only";
import crypto from "node:crypto";
import { Worker } from "node:worker_threads";
import { Webhook } from "svix";
import type { WebhookEventPayload } from "./events";
import { privateUrlsAllowed } from "./url-guard";

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
export const WEBHOOK_USER_AGENT = "AuthPortal-Webhooks/1.0 (svix-compatible)";

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
  return getWebhookSendThread().send(target, headers, body, options.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
}

function networkError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, RESPONSE_EXCERPT_MAX);
}

/** What send-worker.mjs answers per request: [id, status or null, latency in ms, excerpt or error text or null]. */
type SendResult = [id: number, statusCode: number | null, latencyMs: number, excerpt: string | null];

/**
 * The requests go out from one worker thread (send-worker.mjs says why);
 * this side hands each one over and resolves its promise with the answer.
 * Requests started in one synchronous run (a lane starts up to 32) travel
 * in one message, and answers come back batched too. The thread starts on
 * the first send; it is unref'd while nothing is in flight, so it never
 * keeps a process alive. If it dies, every request it held answers as a
 * network error (the queue retries them) and the next send starts a new one.
 */
class WebhookSendThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, (response: WebhookResponse) => void>();
  private outgoing: unknown[] = [];
  private nextId = 1;
  /** Requests with an id up to this one were handed to the current worker. */
  private lastPostedId = 0;

  send(target: Target, headers: string[], body: Buffer, timeoutMs: number): Promise<WebhookResponse> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      if (this.outgoing.length === 0) queueMicrotask(() => this.flush());
      // The rule at send time, per request: development and production agents never share a connection (send-worker.mjs).
      this.outgoing.push([id, target.origin, target.path, headers, body, timeoutMs, privateUrlsAllowed(), RESPONSE_EXCERPT_MAX]);
    });
  }

  private flush(): void {
    const requests = this.outgoing;
    this.outgoing = [];
    const worker = this.start();
    this.lastPostedId = this.nextId - 1;
    worker.ref();
    worker.postMessage(requests);
  }

  /** Ends the thread as a crash would (tests); the next send starts a new one. */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("./send-worker.mjs", import.meta.url));
    worker.unref();
    worker.on("message", (results: SendResult[]) => this.answer(results));
    worker.on("error", (error) => this.stopped(worker, error));
    worker.on("exit", (code) => this.stopped(worker, new Error(`exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private answer(results: SendResult[]): void {
    for (const [id, statusCode, latencyMs, excerpt] of results) {
      const resolve = this.pending.get(id);
      if (!resolve) continue;
      this.pending.delete(id);
      resolve({ statusCode, latencyMs, excerpt, ok: statusCode !== null && statusCode >= 200 && statusCode < 300 });
    }
    if (this.pending.size === 0) this.worker?.unref();
  }

  private stopped(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const excerpt = `The webhook sender thread stopped (${networkError(error)}); the delivery will be retried.`.slice(0, RESPONSE_EXCERPT_MAX);
    for (const [id, resolve] of this.pending) {
      if (id > this.lastPostedId) continue; // not handed over yet: the next flush starts a new thread for it
      this.pending.delete(id);
      resolve({ statusCode: null, latencyMs: 0, excerpt, ok: false });
    }
  }
}

// On globalThis so dev-server hot reloads reuse one thread instead of starting one per reload.
const globalForSender = globalThis as unknown as { webhookSendThread?: WebhookSendThread };

function getWebhookSendThread(): WebhookSendThread {
  return (globalForSender.webhookSendThread ??= new WebhookSendThread());
}

/** Stops the sender thread as a crash would: what it held answers as network errors. For tests. */
export function terminateWebhookSendThread(): Promise<void> {
  return getWebhookSendThread().terminate();
}
