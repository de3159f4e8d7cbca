import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Webhook } from "svix";
import { resetConfigCache } from "@/lib/config";
import { newWebhookEvent } from "./events";
import { RESPONSE_EXCERPT_MAX, postWebhook, terminateWebhookSendThread, webhookBody, webhookSignature, webhookSigners } from "./delivery";
import { testWebhookSecret } from "./testing/receiver";

// The request code itself (lib/webhooks/delivery.ts and its thread, send-worker.mjs): signing, the undici pool, the guard on its connections, limits.

afterEach(() => {
  vi.unstubAllEnvs();
  resetConfigCache();
});

type Served = { url: (host?: string) => string; requests: number; connections: number; close: () => Promise<void> };

/** An HTTP server on 127.0.0.1 answering with `respond`, counting requests and TCP connections. */
async function serve(respond: (request: http.IncomingMessage, response: http.ServerResponse) => void): Promise<Served> {
  const server = http.createServer((request, response) => {
    served.requests++;
    request.resume();
    request.on("end", () => respond(request, response));
  });
  server.on("connection", () => served.connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const served: Served = {
    url: (host = "127.0.0.1") => `http://${host}:${port}/hook`,
    requests: 0,
    connections: 0,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return served;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

const event = () => newWebhookEvent("user.updated", { object: "user", id: "user_client" });

describe("svix signatures made with node:crypto", () => {
  it("are byte for byte what svix's own signer makes, for any id, time, body and secret", () => {
    const bodies = ["", "{}", webhookBody(event()), JSON.stringify({ name: "Zoë 🦊 ünïcödé \u2028 \\\"quoted\\\"" }), "x".repeat(100_000)];
    for (let i = 0; i < 200; i++) {
      const secret = i % 2 ? testWebhookSecret() : `whsec_${crypto.randomBytes(8 + (i % 57)).toString("base64")}`;
      const msgId = `msg_${crypto.randomBytes(12).toString("hex")}`;
      const at = new Date(Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 4e11));
      const body = bodies[i % bodies.length]! + crypto.randomBytes(i % 7).toString("base64");
      expect(webhookSignature(webhookSigners([secret]), msgId, Math.floor(at.getTime() / 1000), body)).toBe(new Webhook(secret).sign(msgId, at, body));
    }
  });

  it("signs with every secret of a rotation, in order; refuses a secret svix would refuse", () => {
    const [current, previous] = [testWebhookSecret(), testWebhookSecret()];
    const at = new Date();
    const seconds = Math.floor(at.getTime() / 1000);
    expect(webhookSignature(webhookSigners([current, previous]), "msg_1", seconds, "{}")).toBe(
      `${new Webhook(current).sign("msg_1", at, "{}")} ${new Webhook(previous).sign("msg_1", at, "{}")}`,
    );
    expect(() => webhookSigners(["whsec_"])).toThrow();
    expect(() => webhookSigners(["whsec_not*base64!"])).toThrow();
  });
});

describe("postWebhook", () => {
  it("keeps connections alive: waves of requests to one receiver reuse a few connections, not one each", async () => {
    const server = await serve((_request, response) => response.writeHead(204).end());
    const secret = testWebhookSecret();
    try {
      for (let wave = 0; wave < 10; wave++) {
        const responses = await Promise.all(Array.from({ length: 4 }, () => postWebhook(server.url(), event(), webhookSigners([secret]))));
        expect(responses.every((response) => response.ok && response.statusCode === 204)).toBe(true);
      }
      expect(server.requests).toBe(40);
      // undici may open a spare connection while another is being released; never one per request.
      expect(server.connections).toBeLessThanOrEqual(16);
    } finally {
      await server.close();
    }
  });

  it("connects through the SSRF guard: a name resolving to loopback is reached in development, never in production", async () => {
    // Each case on a server (origin) of its own: a kept-alive connection is checked when it opens.
    const allowed = await serve((_request, response) => response.writeHead(200).end("ok"));
    const guarded = await serve((_request, response) => response.writeHead(200).end("ok"));
    try {
      expect(await postWebhook(allowed.url("localhost"), event(), webhookSigners([testWebhookSecret()]))).toMatchObject({ ok: true, statusCode: 200 });

      vi.stubEnv("NODE_ENV", "production");
      resetConfigCache();
      const refused = await postWebhook(guarded.url("localhost"), event(), webhookSigners([testWebhookSecret()]));
      expect(refused).toMatchObject({ ok: false, statusCode: null, excerpt: expect.stringMatching(/private or loopback/) });
      expect(guarded.requests).toBe(0);
      expect(guarded.connections).toBe(0);
    } finally {
      await allowed.close();
      await guarded.close();
    }
  });

  it("keeps the status of a huge response and only its first characters; does not follow redirects", async () => {
    const huge = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      response.end("é".repeat(200_000)); // 400 kB: more than is ever read
    });
    const redirect = await serve((_request, response) => response.writeHead(302, { location: huge.url() }).end());
    try {
      const big = await postWebhook(huge.url(), event(), webhookSigners([testWebhookSecret()]));
      expect(big).toMatchObject({ ok: true, statusCode: 200 });
      expect(big.excerpt).toBe("é".repeat(RESPONSE_EXCERPT_MAX));

      const moved = await postWebhook(redirect.url(), event(), webhookSigners([testWebhookSecret()]));
      expect(moved).toMatchObject({ ok: false, statusCode: 302 });
      expect(huge.requests).toBe(1);
    } finally {
      await huge.close();
      await redirect.close();
    }
  });

  it("the time limit covers the whole response: a receiver that sends its status and then drips its body times out", async () => {
    const timers: NodeJS.Timeout[] = [];
    const dripping = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      timers.push(setInterval(() => response.write("."), 50));
    });
    try {
      const started = Date.now();
      const response = await postWebhook(dripping.url(), event(), webhookSigners([testWebhookSecret()]), { timeoutMs: 300 });
      expect(response).toMatchObject({ ok: false, statusCode: null, excerpt: "No response within the time limit (timeout)." });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      for (const timer of timers) clearInterval(timer);
      await dripping.close();
    }
  });
  it("one timer serves the requests in flight: each still times out at its own limit, none early, and none is left once they are done", async () => {
    // Timers, and the sender thread's port (listed while the thread is ref'd): what would keep the process alive.
    const count = (kind: string) => process.getActiveResourcesInfo().filter((type) => type === kind).length;
    const timeouts = () => ({ timers: count("Timeout"), threads: count("MessagePort") });
    const held: http.ServerResponse[] = [];
    // "/fast" answers at once; any other path is never answered.
    const receiver = await serve((request, response) => {
      if (request.url?.endsWith("fast")) response.writeHead(204).end();
      else held.push(response);
    });
    try {
      const before = timeouts();
      const signers = webhookSigners([testWebhookSecret()]);
      const started = performance.now();
      // The first request in the list is answered; the timer armed for it must neither expire the later ones early nor be lost.
      const fast = postWebhook(`${receiver.url()}?fast`, event(), signers, { timeoutMs: 300 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const slow = postWebhook(receiver.url(), event(), signers, { timeoutMs: 300 });
      const longer = postWebhook(receiver.url(), event(), signers, { timeoutMs: 600 });
      const [fastResponse, slowResponse, longerResponse] = await Promise.all(
        [fast, slow, longer].map((response) => response.then((result) => ({ ...result, at: performance.now() - started }))),
      );
      expect(fastResponse).toMatchObject({ ok: true, statusCode: 204 });
      expect(slowResponse).toMatchObject({ ok: false, statusCode: null, excerpt: "No response within the time limit (timeout)." });
      expect(longerResponse).toMatchObject({ ok: false, statusCode: null, excerpt: "No response within the time limit (timeout)." });
      // Each at its own deadline (started at about 150 ms): 300 ms and 600 ms after its own start.
      expect(slowResponse.at).toBeGreaterThanOrEqual(440);
      expect(slowResponse.at).toBeLessThan(1_500);
      expect(longerResponse.at).toBeGreaterThanOrEqual(740);
      expect(longerResponse.at).toBeLessThan(2_000);
      expect(slowResponse.latencyMs).toBeGreaterThanOrEqual(290);
      // Nothing in flight: neither a timer nor the sender thread keeps the process alive.
      const after = timeouts();
      expect(after.timers).toBeLessThanOrEqual(before.timers);
      expect(after.threads).toBeLessThanOrEqual(before.threads);
    } finally {
      for (const response of held) response.destroy();
      await receiver.close();
    }
  });

  it("if the sender thread dies, the requests it held answer as network errors (so the queue retries them) and the next send starts a new thread", async () => {
    const held: http.ServerResponse[] = [];
    const receiver = await serve((request, response) => {
      if (request.url?.endsWith("fast")) response.writeHead(204).end();
      else held.push(response);
    });
    try {
      const signers = webhookSigners([testWebhookSecret()]);
      const stuck = postWebhook(receiver.url(), event(), signers, { timeoutMs: 10_000 });
      await waitUntil(() => held.length === 1);
      await terminateWebhookSendThread();
      expect(await stuck).toMatchObject({ ok: false, statusCode: null, excerpt: expect.stringMatching(/sender thread stopped.*retried/) });
      expect(await postWebhook(`${receiver.url()}?fast`, event(), signers)).toMatchObject({ ok: true, statusCode: 204 });
    } finally {
      for (const response of held) response.destroy();
      await receiver.close();
    }
  });
});
