import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "svix";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { drainAll } from "@/lib/background";
import { QUEUE_LEASE_MS } from "@/lib/queue";
import { emitWebhookEvent } from "./events";
import { createTestEndpoint, startWebhookReceiver, svixHeaders, type TestWebhookReceiver } from "./testing/receiver";

// Real OS processes draining one queue, as several servers on one PostgreSQL do (S14).

const WORKER = path.resolve(__dirname, "testing", "drain-worker.mjs");

let receiver: TestWebhookReceiver;

beforeAll(async () => {
  process.env.OUTBOX_LOOP = "off";
  resetConfigCache();
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver.stop();
});

beforeEach(async () => {
  await db.webhookEndpoint.deleteMany({});
  receiver.requests.length = 0;
  receiver.onRequest = undefined;
  receiver.delayMs = 0;
});

type Worker = { child: ChildProcess; ready: Promise<void>; done: Promise<{ output: string; code: number | null; signal: string | null }> };

/** A drain worker process (its own Prisma client and pool) for these rows; it starts draining on `go`. */
function startWorker(ids: string[], limit = 5): Worker {
  const child = spawn(process.execPath, [WORKER, String(limit)], {
    env: { ...process.env, DRAIN_IDS: JSON.stringify(ids), OUTBOX_LOOP: "off" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith("ready\n")) markReady();
  });
  child.stderr!.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  const done = new Promise<{ output: string; code: number | null; signal: string | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ output: output + errors, code, signal })),
  );
  return { child, ready: Promise.race([ready, done.then(({ output: text }) => Promise.reject(new Error(`worker exited early:\n${text}`)))]), done };
}

const go = (worker: Worker) => worker.child.stdin!.write("go\n");

async function emitMany(count: number) {
  const now = new Date();
  const msgIds: string[] = [];
  await db.$transaction(async (tx) => {
    for (let n = 0; n < count; n++) msgIds.push((await emitWebhookEvent(tx, "user.updated", { object: "user", n }, now))!);
  });
  return msgIds;
}

describe("two server processes draining one queue", () => {
  it("deliver every message exactly once, never one message twice at the same time", { timeout: 120_000 }, async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    receiver.delayMs = 25;
    const msgIds = await emitMany(80);
    const ids = (await db.outboxMessage.findMany({ where: { channel: "webhook", to: endpoint.id }, select: { id: true } })).map((row) => row.id);
    expect(ids).toHaveLength(80);

    const workers = [startWorker(ids), startWorker(ids)];
    await Promise.all(workers.map((worker) => worker.ready));
    workers.forEach(go);
    const results = await Promise.all(workers.map((worker) => worker.done));
    const totals = results.map(({ output, code }) => {
      expect(code, output).toBe(0);
      return JSON.parse(output.trim().split("\n").at(-1)!) as { claimed: number; sent: number; retried: number; failed: number };
    });

    // Both took part, and between them sent each message once.
    expect(totals[0]!.sent).toBeGreaterThan(0);
    expect(totals[1]!.sent).toBeGreaterThan(0);
    expect(totals[0]!.sent + totals[1]!.sent).toBe(80);
    expect(totals.every((total) => total.retried === 0 && total.failed === 0)).toBe(true);
    expect(receiver.requests).toHaveLength(80);
    expect(receiver.maxInFlightPerId).toBe(1);
    expect(new Set(receiver.requests.map((request) => request.headers["svix-id"]))).toEqual(new Set(msgIds));
    const verifier = new Webhook(endpoint.secret);
    for (const request of receiver.requests) verifier.verify(request.body, svixHeaders(request));
    const rows = await db.outboxMessage.findMany({ where: { id: { in: ids } } });
    expect(rows.every((row) => row.status === "sent" && row.attempts === 1)).toBe(true);
  });

  it("a worker killed between the receiver's OK and its mark: the message is re-sent after the lease, same svix-id", { timeout: 120_000 }, async () => {
    const endpoint = await createTestEndpoint(receiver.url);
    const [msgId] = await emitMany(1);
    const [row] = await db.outboxMessage.findMany({ where: { channel: "webhook", to: endpoint.id } });

    const worker = startWorker([row!.id]);
    await worker.ready;
    // The receiver has the request: the worker dies before it can hear back and mark the row.
    receiver.delayMs = 200;
    receiver.onRequest = () => worker.child.kill("SIGKILL");
    go(worker);
    expect((await worker.done).signal).toBe("SIGKILL");
    receiver.onRequest = undefined;
    expect(receiver.requests).toHaveLength(1);
    const leased = await db.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } });
    expect(leased).toMatchObject({ status: "sending", attempts: 1 });

    // Another server: nothing to do while the lease runs; once it has run out, sent again.
    expect(await drainAll({ ids: [row!.id] })).toMatchObject({ claimed: 0 });
    expect(await drainAll({ now: new Date(leased.nextAttemptAt.getTime() + 1), ids: [row!.id] })).toMatchObject({ claimed: 1, sent: 1 });
    expect(receiver.requests.map((request) => request.headers["svix-id"])).toEqual([msgId, msgId]);
    expect(leased.nextAttemptAt.getTime() - leased.updatedAt.getTime()).toBe(QUEUE_LEASE_MS);
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: row!.id } })).toMatchObject({ status: "sent", attempts: 2 });
  });
});
