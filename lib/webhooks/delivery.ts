import "server-only";
import http from "node:http";
import https from "node:https";
import { Webhook } from "svix";
import type { WebhookEventPayload } from "./events";
import { guardedLookup } from "./url-guard";

/**
 * One webhook request (S9), Svix-compatible so any receiver using the
 * official `svix` verifier accepts it: the JSON body
 * `{"type","object":"event","data","timestamp"}` POSTed with `svix-id` (the
 * event's message id: the same on every retry and replay, and for every
 * endpoint of one event), `svix-timestamp` (send time, Unix seconds) and
 * `svix-signature`, made by the svix package's own signer.
 */

/** A receiver that has not answered within this long is a failed attempt. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
/** The first characters of a response kept in the delivery log. */
export const RESPONSE_EXCERPT_MAX = 500;
/** Read at most this much of a response; the rest is dropped with the connection. */
const RESPONSE_READ_MAX_BYTES = 64 * 1024;
export const WEBHOOK_USER_AGENT = "AuthPortal-Webhooks/1.0 (svix-compatible)";

// Keep-alive: a fan-out of many events to one receiver reuses its connections.
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

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
 */
export type WebhookSigners = readonly Webhook[];

export function webhookSigners(secrets: readonly string[]): WebhookSigners {
  return secrets.map((secret) => new Webhook(secret));
}

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
  const sentAt = new Date();
  const headers = {
    "content-type": "application/json",
    "user-agent": WEBHOOK_USER_AGENT,
    "svix-id": payload.msgId,
    "svix-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
    "svix-signature": signers.map((signer) => signer.sign(payload.msgId, sentAt, body)).join(" "),
  };
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

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ statusCode: number; excerpt: string }> {
  const transport = url.protocol === "https:" ? https : http;
  const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: "POST",
        agent,
        // The address connected to is the address checked: a DNS answer that changed since
        // assertDeliverableUrl (rebinding) reaches nothing private.
        lookup: guardedLookup,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        let excerpt = "";
        let bytes = 0;
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (excerpt.length < RESPONSE_EXCERPT_MAX) excerpt += chunk.slice(0, RESPONSE_EXCERPT_MAX - excerpt.length);
          bytes += chunk.length;
          if (bytes > RESPONSE_READ_MAX_BYTES) response.destroy();
        });
        response.on("error", reject);
        // "close" also after our own destroy() of an oversized body: the status is what counts.
        response.on("close", () => resolve({ statusCode: response.statusCode ?? 0, excerpt }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
