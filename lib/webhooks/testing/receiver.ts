// Test helper (imported by *.test.ts only): a real webhook receiver on
// 127.0.0.1 that records every request, and endpoints written straight to the DB.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { db } from "@/lib/db";
import { encryptSecret } from "@/lib/crypto";
import { newId } from "@/lib/ids";
import type { WebhookEventType } from "../event-types";

export type ReceivedWebhook = {
  headers: Record<string, string>;
  body: string;
  status: number;
};

export type TestWebhookReceiver = {
  url: string;
  requests: ReceivedWebhook[];
  /** The status answered from now on (default 204). */
  status: number;
  /** How long each request is held before it is answered. */
  delayMs: number;
  /** Called as each request arrives (before the answer). */
  onRequest?: (request: ReceivedWebhook) => void;
  /** The most requests with one svix-id that were in flight at the same moment (1 = never overlapping). */
  maxInFlightPerId: number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** Stops listening (connection refused from then on); `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
};

export async function startWebhookReceiver(): Promise<TestWebhookReceiver> {
  let port = 0;
  let server: http.Server | undefined;
  const inFlight = new Map<string, number>();
  const receiver: TestWebhookReceiver = {
    get url() {
      return `http://127.0.0.1:${port}/webhooks`;
    },
    requests: [],
    status: 204,
    delayMs: 0,
    maxInFlightPerId: 0,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (receiver.requests.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook requests, got ${receiver.requests.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return receiver.requests;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
        server = undefined;
      }),
    start: () =>
      new Promise<void>((resolve, reject) => {
        const listening = http.createServer((request, response) => {
          const chunks: Buffer[] = [];
          request.on("data", (chunk: Buffer) => chunks.push(chunk));
          request.on("end", () => {
            const headers = Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, String(value)]));
            const received: ReceivedWebhook = { headers, body: Buffer.concat(chunks).toString("utf8"), status: receiver.status };
            const id = headers["svix-id"] ?? "";
            const now = (inFlight.get(id) ?? 0) + 1;
            inFlight.set(id, now);
            receiver.maxInFlightPerId = Math.max(receiver.maxInFlightPerId, now);
            receiver.requests.push(received);
            receiver.onRequest?.(received);
            setTimeout(() => {
              inFlight.set(id, inFlight.get(id)! - 1);
              response.writeHead(received.status, { "content-type": "text/plain" }).end(received.status >= 300 ? `failed with ${received.status}` : "ok");
            }, receiver.delayMs);
          });
        });
        listening.once("error", reject);
        listening.listen(port, "127.0.0.1", () => {
          port = (listening.address() as AddressInfo).port;
          server = listening;
          resolve();
        });
      }),
  };
  await receiver.start();
  return receiver;
}

/** A whsec_ secret as endpoints get them: 24 random bytes, base64. */
export function testWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64")}`;
}

/** An endpoint row pointing at `url`, with its secret in clear for verifying. */
export async function createTestEndpoint(
  url: string,
  options: { events?: WebhookEventType[]; secret?: string; disabled?: boolean } = {},
): Promise<{ id: string; secret: string }> {
  const secret = options.secret ?? testWebhookSecret();
  const id = newId("webhookEndpoint");
  await db.webhookEndpoint.create({
    data: {
      id,
      url,
      events: options.events ?? [],
      secretEncrypted: encryptSecret(secret, "webhook-secret"),
      disabled: options.disabled ?? false,
    },
  });
  return { id, secret };
}

/** The svix headers of a received request, as `Webhook.verify` takes them. */
export function svixHeaders(request: ReceivedWebhook): Record<string, string> {
  return {
    "svix-id": request.headers["svix-id"]!,
    "svix-timestamp": request.headers["svix-timestamp"]!,
    "svix-signature": request.headers["svix-signature"]!,
  };
}
