import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Webhook } from "svix";
import { db } from "@/lib/db";
import { encryptSecret } from "@/lib/crypto";
import { resetConfigCache } from "@/lib/config";
import { drainAll } from "@/lib/background";
import { QUEUE_LEASE_MS } from "@/lib/queue";
import { emitWebhookEvent } from "./events";
import { WEBHOOK_CIRCUIT_OPEN_AFTER_MS, WEBHOOK_RETRY_DELAYS_MS } from "./channel";
import { replayWebhookMessage, sendExampleEvent } from "./examples";
import { WEBHOOK_USER_AGENT } from "./delivery";
import { createTestEndpoint, startWebhookReceiver, svixHeaders, testWebhookSecret, type TestWebhookReceiver } from "./testing/receiver";

let receiver: TestWebhookReceiver;

beforeAll(async () => {
  // Tests drain explicitly, with the time they choose.
  process.env.OUTBOX_LOOP = "off";
  resetConfigCache();
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver.stop();
});

beforeEach(async () => {
  // Every test starts with no endpoint: an event goes only to the endpoints a test creates.
  await db.webhookEndpoint.deleteMany({});
  await db.outboxMessage.deleteMany({ where: { channel: "webhook" } });
  receiver.requests.length = 0;
  receiver.status = 204;
  receiver.delayMs = 0;
  receiver.onRequest = undefined;
});

afterEach(() => {
  vi.useRealTimers();
});

async function emit(data: unknown = { object: "user", id: "user_test" }, now = new Date()) {
  return db.$transaction((tx) => emitWebhookEvent(tx, "user.updated", data, now));
}

async function rowsOf(endpointId: string) {
  return db.outboxMessage.findMany({ where: { channel: "webhook", to: endpointId }, orderBy: { createdAt: "asc" } });
}

describe("webhook delivery", () => {
  it("POSTs the event as Svix does: the official svix verifier accepts it; a tampered body or an old timestamp it refuses", async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    const before = Date.now();
    const msgId = await emit({ object: "user", id: "user_abc", first_name: "Ada" });
    const [row] = await rowsOf(endpoint.id);
    expect(row).toMatchObject({ template: "user.updated", status: "pending" });

    expect(await drainAll({ ids: [row!.id] })).toMatchObject({ claimed: 1, sent: 1 });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": WEBHOOK_USER_AGENT,
      "svix-id": msgId,
    });
    const timestamp = Number(request!.headers["svix-timestamp"]);
    expect(timestamp).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(request!.headers["svix-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);

    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).toEqual({ type: "user.updated", object: "event", data: { object: "user", id: "user_abc", first_name: "Ada" }, timestamp: expect.any(Number) });

    const verifier = new Webhook(endpoint.secret);
    expect(() => verifier.verify(request!.body, svixHeaders(request!))).not.toThrow();
    expect(() => verifier.verify(request!.body.replace("Ada", "Eve"), svixHeaders(request!))).toThrow();
    expect(() => new Webhook(testWebhookSecret()).verify(request!.body, svixHeaders(request!))).toThrow();
    // Six minutes later the same request is a replay to svix (its tolerance is 5 minutes).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 6 * 60_000 });
    expect(() => verifier.verify(request!.body, svixHeaders(request!))).toThrow(/timestamp/i);
    vi.useRealTimers();

    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ status: "sent", attempts: 1, lastError: null });
    const attempts = await db.webhookAttempt.findMany({ where: { messageId: row!.id } });
    expect(attempts).toEqual([
      expect.objectContaining({ endpointId: endpoint.id, attempt: 1, statusCode: 204, latencyMs: expect.any(Number) }),
    ]);
  });

  it("loses nothing while the receiver is down, then answering 500, then back; retries keep the svix-id", async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    const start = new Date();
    const msgIds = [await emit({ n: 1 }, start), await emit({ n: 2 }, start), await emit({ n: 3 }, start)];
    const ids = (await rowsOf(endpoint.id)).map((row) => row.id);

    await receiver.stop(); // connection refused
    try {
      expect(await drainAll({ now: start, ids })).toMatchObject({ claimed: 3, retried: 3 });
    } finally {
      await receiver.start();
    }
    let rows = await rowsOf(endpoint.id);
    for (const row of rows) {
      expect(row.status).toBe("pending");
      expect(row.lastError).toMatch(/ECONNREFUSED/);
      expect(row.nextAttemptAt.getTime()).toBe(start.getTime() + WEBHOOK_RETRY_DELAYS_MS[0]!);
    }
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).failingSince).toEqual(start);
    // Not due yet: nothing goes.
    expect(await drainAll({ now: new Date(start.getTime() + 1_000), ids })).toMatchObject({ claimed: 0 });

    // The receiver answers, but 500: it may have processed them, we cannot know, so they go again later.
    receiver.status = 500;
    const second = new Date(start.getTime() + WEBHOOK_RETRY_DELAYS_MS[0]!);
    expect(await drainAll({ now: second, ids })).toMatchObject({ claimed: 3, retried: 3 });
    rows = await rowsOf(endpoint.id);
    for (const row of rows) {
      expect(row.lastError).toBe("HTTP 500: failed with 500");
      expect(row.nextAttemptAt.getTime()).toBe(second.getTime() + WEBHOOK_RETRY_DELAYS_MS[1]!);
    }

    receiver.status = 200;
    const third = new Date(second.getTime() + WEBHOOK_RETRY_DELAYS_MS[1]!);
    expect(await drainAll({ now: third, ids })).toMatchObject({ claimed: 3, sent: 3 });
    rows = await rowsOf(endpoint.id);
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([["sent", 3], ["sent", 3], ["sent", 3]]);
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).failingSince).toBeNull();

    // Every event arrived; each twice (the 500 and the 200), always with its own svix-id, every copy verifiable.
    expect(receiver.requests).toHaveLength(6);
    const verifier = new Webhook(endpoint.secret);
    const bodiesById = new Map<string, Set<string>>();
    for (const request of receiver.requests) {
      verifier.verify(request.body, svixHeaders(request));
      const id = request.headers["svix-id"]!;
      bodiesById.set(id, (bodiesById.get(id) ?? new Set()).add(request.body));
    }
    expect([...bodiesById.keys()].sort()).toEqual([...msgIds].sort());
    for (const bodies of bodiesById.values()) expect(bodies.size).toBe(1);

    const log = await db.webhookAttempt.findMany({ where: { messageId: ids[0] }, orderBy: { attempt: "asc" } });
    expect(log.map((attempt) => [attempt.attempt, attempt.statusCode])).toEqual([[1, null], [2, 500], [3, 200]]);
    expect(log[0]!.responseExcerpt).toMatch(/ECONNREFUSED/);
    expect(log[1]!.responseExcerpt).toBe("failed with 500");
  });

  it("follows Svix's schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then fails the message", async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    receiver.status = 503;
    let now = new Date();
    await emit({}, now);
    const [row] = await rowsOf(endpoint.id);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= WEBHOOK_RETRY_DELAYS_MS.length + 1; attempt++) {
      expect(await drainAll({ now, ids: [row!.id] })).toMatchObject({ claimed: 1 });
      const current = await db.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } });
      if (current.status === "pending") delays.push(current.nextAttemptAt.getTime() - now.getTime());
      now = current.nextAttemptAt;
    }
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ status: "failed", attempts: 8 });
    expect(receiver.requests).toHaveLength(8);
    expect(new Set(receiver.requests.map((request) => request.headers["svix-id"])).size).toBe(1);
  });

  it("a crash between the receiver's OK and our mark re-sends after the lease, with the same svix-id", async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    const now = new Date();
    const msgId = await emit({}, now);
    const [row] = await rowsOf(endpoint.id);
    // The worker sent it and died before marking: the row is still leased ("sending", attempt 1).
    await db.$executeRaw`UPDATE "OutboxMessage" SET status = 'sending', attempts = 1, "nextAttemptAt" = ${new Date(now.getTime() + QUEUE_LEASE_MS)} WHERE id = ${row!.id}`;
    expect(await drainAll({ now: new Date(now.getTime() + 1_000), ids: [row!.id] })).toMatchObject({ claimed: 0 });
    expect(await drainAll({ now: new Date(now.getTime() + QUEUE_LEASE_MS + 1), ids: [row!.id] })).toMatchObject({ claimed: 1, sent: 1 });
    expect(receiver.requests.map((request) => request.headers["svix-id"])).toEqual([msgId]);
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("one event goes to every subscribed endpoint with ONE svix-id; each endpoint signs with its own secret", async () => {
    const second = await startWebhookReceiver();
    try {
      const a = await createTestEndpoint(receiver.url);
      const b = await createTestEndpoint(second.url, { events: ["user.updated"] });
      await createTestEndpoint(second.url, { events: ["session.created"] }); // filtered out
      const msgId = await emit();
      const ids = (await db.outboxMessage.findMany({ where: { channel: "webhook" } })).map((row) => row.id);
      expect(ids).toHaveLength(2);
      expect(await drainAll({ ids })).toMatchObject({ sent: 2 });
      const [toA] = await receiver.waitFor(1);
      const [toB] = await second.waitFor(1);
      expect(second.requests).toHaveLength(1);
      expect(toA!.headers["svix-id"]).toBe(msgId);
      expect(toB!.headers["svix-id"]).toBe(msgId);
      expect(() => new Webhook(a.secret).verify(toA!.body, svixHeaders(toA!))).not.toThrow();
      expect(() => new Webhook(b.secret).verify(toB!.body, svixHeaders(toB!))).not.toThrow();
      expect(() => new Webhook(a.secret).verify(toB!.body, svixHeaders(toB!))).toThrow();
    } finally {
      await second.stop();
    }
  });

  it("during a secret rotation's overlap signs with both secrets; receivers on either verify; afterwards only the new one", async () => {
    const oldSecret = testWebhookSecret();
    const endpoint = await createTestEndpoint(receiver.url);
    const now = new Date();
    await db.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { previousSecretEncrypted: encryptSecret(oldSecret, "webhook-secret"), previousSecretExpiresAt: new Date(now.getTime() + 3_600_000) },
    });
    await emit({}, now);
    expect(await drainAll({ now, ids: (await rowsOf(endpoint.id)).map((row) => row.id) })).toMatchObject({ sent: 1 });
    const [during] = await receiver.waitFor(1);
    expect(during!.headers["svix-signature"]).toMatch(/^v1,\S+ v1,\S+$/);
    expect(() => new Webhook(endpoint.secret).verify(during!.body, svixHeaders(during!))).not.toThrow();
    expect(() => new Webhook(oldSecret).verify(during!.body, svixHeaders(during!))).not.toThrow();

    const later = new Date(now.getTime() + 2 * 3_600_000);
    await emit({}, later);
    const pending = (await rowsOf(endpoint.id)).filter((row) => row.status === "pending").map((row) => row.id);
    expect(await drainAll({ now: later, ids: pending })).toMatchObject({ sent: 1 });
    const after = (await receiver.waitFor(2))[1]!;
    expect(after.headers["svix-signature"]).toMatch(/^v1,\S+$/);
    expect(() => new Webhook(oldSecret).verify(after.body, svixHeaders(after))).toThrow();
    expect(() => new Webhook(endpoint.secret).verify(after.body, svixHeaders(after))).not.toThrow();
  });

  it("a disabled or deleted endpoint's messages fail at delivery time without a request", async () => {
    const disabled = await createTestEndpoint(receiver.url);
    const deleted = await createTestEndpoint(receiver.url);
    await emit();
    const ids = (await db.outboxMessage.findMany({ where: { channel: "webhook" } })).map((row) => row.id);
    await db.webhookEndpoint.update({ where: { id: disabled.id }, data: { disabled: true } });
    await db.webhookEndpoint.delete({ where: { id: deleted.id } });
    expect(await drainAll({ ids })).toMatchObject({ claimed: 2, failed: 2 });
    expect((await rowsOf(disabled.id))[0]).toMatchObject({ status: "failed", attempts: 1, lastError: "The endpoint is disabled." });
    expect((await rowsOf(deleted.id))[0]).toMatchObject({ status: "failed", lastError: "The endpoint was deleted." });
    expect(receiver.requests).toHaveLength(0);
    expect(await db.webhookAttempt.count({ where: { messageId: { in: ids } } })).toBe(0);
  });

  it("the circuit: an endpoint failing for 5 days is paused at its next failure (audited); its waiting messages fail; no new ones are queued", async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    const now = new Date();
    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { failingSince: new Date(now.getTime() - WEBHOOK_CIRCUIT_OPEN_AFTER_MS + 60_000) } });
    receiver.status = 500;
    await emit({ n: 1 }, now);
    const [first] = await rowsOf(endpoint.id);
    // Four days and 23 hours: not yet.
    expect(await drainAll({ now, ids: [first!.id] })).toMatchObject({ retried: 1 });
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).pausedAt).toBeNull();

    const later = new Date(now.getTime() + 2 * 60_000);
    await emit({ n: 2 }, later);
    const second = (await rowsOf(endpoint.id))[1]!;
    expect(await drainAll({ now: later, ids: [second.id] })).toMatchObject({ failed: 1 });
    const paused = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(paused.pausedAt).toEqual(later);
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: second.id } })).lastError).toMatch(/HTTP 500.*paused/);
    // The first message, waiting for its retry, failed with it.
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: "failed", lastError: expect.stringMatching(/paused/) });
    const audit = await db.auditEvent.findMany({ where: { type: "webhook.endpoint_paused", targetId: endpoint.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toMatchObject({ url: receiver.url });
    // A paused endpoint gets no new events.
    expect(await emit({ n: 3 }, later)).toBeNull();
    expect(await rowsOf(endpoint.id)).toHaveLength(2);
  });

  it("in production, a loopback URL is refused before every delivery (SSRF); the attempt is logged, nothing is sent", async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    await emit();
    const [row] = await rowsOf(endpoint.id);
    (process.env as Record<string, string>).NODE_ENV = "production";
    resetConfigCache();
    try {
      expect(await drainAll({ ids: [row!.id] })).toMatchObject({ retried: 1 });
    } finally {
      (process.env as Record<string, string>).NODE_ENV = "test";
      resetConfigCache();
    }
    expect(receiver.requests).toHaveLength(0);
    const [attempt] = await db.webhookAttempt.findMany({ where: { messageId: row!.id } });
    expect(attempt).toMatchObject({ statusCode: null, responseExcerpt: expect.stringMatching(/^Not sent: 127\.0\.0\.1 is a private or loopback address/) });
  });

  it("a receiver that never answers is a failed attempt after the time limit", async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    receiver.delayMs = 2_000;
    await emit();
    const [row] = await rowsOf(endpoint.id);
    expect(await drainAll({ ids: [row!.id], webhooks: { timeoutMs: 200 } })).toMatchObject({ retried: 1 });
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } })).lastError).toMatch(/timeout/i);
  });

  it("send example goes to that endpoint only; replay re-sends a message with the same svix-id and body", async () => {
    const endpoint = await createTestEndpoint(receiver.url, { events: ["user.created"] });
    const other = await createTestEndpoint(receiver.url);
    const exampleId = await sendExampleEvent(endpoint.id, "session.revoked");
    expect(await db.outboxMessage.count({ where: { channel: "webhook", to: other.id } })).toBe(0);
    expect(await drainAll({ ids: [exampleId] })).toMatchObject({ sent: 1 });
    const [example] = await receiver.waitFor(1);
    expect(JSON.parse(example!.body)).toMatchObject({ type: "session.revoked", object: "event", data: { object: "session", status: "revoked" } });
    expect(() => new Webhook(endpoint.secret).verify(example!.body, svixHeaders(example!))).not.toThrow();

    const replayId = await replayWebhookMessage(exampleId);
    expect(replayId).not.toBe(exampleId);
    expect(await drainAll({ ids: [replayId] })).toMatchObject({ sent: 1 });
    const [, replayed] = await receiver.waitFor(2);
    expect(replayed!.headers["svix-id"]).toBe(example!.headers["svix-id"]);
    expect(replayed!.body).toBe(example!.body);
    expect(() => new Webhook(endpoint.secret).verify(replayed!.body, svixHeaders(replayed!))).not.toThrow();

    await expect(sendExampleEvent(endpoint.id, "user.exploded")).rejects.toMatchObject({ code: "validation_failed", fields: { type: expect.any(Array) } });
    await expect(sendExampleEvent("whe_missing", "user.created")).rejects.toMatchObject({ code: "not_found" });
    await expect(replayWebhookMessage("out_missing")).rejects.toMatchObject({ code: "not_found" });
    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { disabled: true } });
    await expect(replayWebhookMessage(exampleId)).rejects.toMatchObject({ code: "conflict" });
  });

  it("sends a batch concurrently: 40 events to a slow receiver take far less than 40 round trips", async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    receiver.delayMs = 100;
    const now = new Date();
    await db.$transaction(async (tx) => {
      for (let n = 0; n < 40; n++) await emitWebhookEvent(tx, "user.updated", { n }, now);
    });
    const ids = (await rowsOf(endpoint.id)).map((row) => row.id);
    const started = Date.now();
    expect(await drainAll({ ids, limit: 100 })).toMatchObject({ claimed: 40, sent: 40 });
    // Sequential: 4 s. Sixteen at a time: 3 waves of 100 ms.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(new Set(receiver.requests.map((request) => request.headers["svix-id"])).size).toBe(40);
  });
});
