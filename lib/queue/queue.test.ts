import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { newId } from "@/lib/ids";
import { onShutdown, resetLifecycleForTests, shutDown } from "@/lib/lifecycle";
import { drainQueue, waitForIdleQueue, GiveUpError, kickDrain, QUEUE_LEASE_MS, simpleChannel, type QueueChannel, type QueueRow } from "./index";

// The queue with channels made up here ("test-..." rows): what mail, SMS and webhooks all rely on.

async function enqueue(channel: string, count: number, now = new Date()): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId("outbox"));
  await db.outboxMessage.createMany({
    data: ids.map((id, n) => ({ id, channel, to: `to-${n}`, template: "t", payload: { n }, nextAttemptAt: now, createdAt: now })),
  });
  return ids;
}

const uniqueChannel = () => `test-${newId("outbox").slice(-8)}`;

afterEach(() => {
  delete process.env.OUTBOX_LOOP;
  resetConfigCache();
});

describe("drainQueue", () => {
  it("sends a channel's batch at most `concurrency` at a time, and marks every row", async () => {
    const name = uniqueChannel();
    const ids = await enqueue(name, 10);
    let inFlight = 0;
    let most = 0;
    const channel = simpleChannel({
      name,
      retryDelaysMs: [1_000],
      concurrency: 3,
      async send() {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
      },
    });
    expect(await drainQueue([channel], { ids, limit: 10 })).toEqual({ claimed: 10, sent: 10, retried: 0, failed: 0 });
    expect(most).toBe(3);
    const rows = await db.outboxMessage.findMany({ where: { id: { in: ids } } });
    expect(rows.every((row) => row.status === "sent" && row.sentAt !== null && row.attempts === 1)).toBe(true);
  });

  it("claims batch after batch while they come back full, for up to maxDurationMs; one batch otherwise", async () => {
    const name = uniqueChannel();
    const ids = await enqueue(name, 7);
    const channel = simpleChannel({ name, retryDelaysMs: [], send: async () => {} });
    expect(await drainQueue([channel], { ids, limit: 3 })).toMatchObject({ claimed: 3 });
    expect(await drainQueue([channel], { ids, limit: 3, maxDurationMs: 10_000 })).toMatchObject({ claimed: 4, sent: 4 });
  });

  it("keeps `concurrency` sends going across batches: the next batch is claimed while the last rows of one are in flight", async () => {
    const name = uniqueChannel();
    const ids = await enqueue(name, 12);
    let inFlight = 0;
    const batches: { rows: number; inFlightWhenOpened: number }[] = [];
    const closed: string[][] = [];
    const channel: QueueChannel = {
      name,
      retryDelaysMs: [],
      concurrency: 4,
      openBatch(rows) {
        batches.push({ rows: rows.length, inFlightWhenOpened: inFlight });
        return {
          async send() {
            inFlight++;
            // Slow sends: the claim of the next batch (a database round trip) fits well within one.
            await new Promise((resolve) => setTimeout(resolve, 150));
            inFlight--;
          },
          async close() {
            closed.push(rows.map((row) => row.id));
          },
        };
      },
    };
    expect(await drainQueue([channel], { ids, limit: 5, maxDurationMs: 10_000 })).toEqual({ claimed: 12, sent: 12, retried: 0, failed: 0 });
    expect(batches.map((batch) => batch.rows)).toEqual([5, 5, 2]);
    // Each later batch opened while the one before still had sends in flight, not after its last one.
    expect(batches[1]!.inFlightWhenOpened).toBeGreaterThan(0);
    expect(batches[2]!.inFlightWhenOpened).toBeGreaterThan(0);
    expect(closed.flat().sort()).toEqual([...ids].sort());
    const rows = await db.outboxMessage.findMany({ where: { id: { in: ids } } });
    expect(rows.every((row) => row.status === "sent" && row.attempts === 1)).toBe(true);
  });

  it("claims the next batch ahead, while rows of the current one are still to start, so sends never wait for a claim", async () => {
    const name = uniqueChannel();
    const ids = await enqueue(name, 12);
    let started = 0;
    const startedWhenOpened: number[] = [];
    const channel: QueueChannel = {
      name,
      retryDelaysMs: [],
      concurrency: 2,
      openBatch() {
        startedWhenOpened.push(started);
        return {
          async send() {
            started++;
            await new Promise((resolve) => setTimeout(resolve, 100));
          },
        };
      },
    };
    expect(await drainQueue([channel], { ids, limit: 6, maxDurationMs: 10_000 })).toMatchObject({ claimed: 12, sent: 12 });
    // The second batch was open once the first had no more than 2 (concurrency) rows left to start,
    // well before its last one started (the claim takes a round trip, a send 100 ms).
    expect(startedWhenOpened).toHaveLength(2); // the third claim finds no row: nothing to open
    expect(startedWhenOpened[1]).toBeGreaterThanOrEqual(4);
    expect(startedWhenOpened[1]).toBeLessThan(6);
  });

  it("a batch that cannot be opened stops the lane, but every row already sent is still closed and marked", async () => {
    const name = uniqueChannel();
    const ids = await enqueue(name, 6);
    let opened = 0;
    const channel: QueueChannel = {
      name,
      retryDelaysMs: [],
      concurrency: 2,
      openBatch() {
        if (++opened === 2) throw new Error("endpoint read failed");
        return { send: () => new Promise((resolve) => setTimeout(resolve, 50)) };
      },
    };
    await expect(drainQueue([channel], { ids, limit: 3, maxDurationMs: 10_000 })).rejects.toThrow("endpoint read failed");
    const rows = await db.outboxMessage.findMany({ where: { id: { in: ids } } });
    // The first batch was sent and marked; the second stays leased ("sending") and is claimed again after the lease.
    expect(rows.filter((row) => row.status === "sent")).toHaveLength(3);
    expect(rows.filter((row) => row.status === "sending")).toHaveLength(3);
    expect(opened).toBe(2);
  });

  it("retries on the channel's schedule; a GiveUpError fails the row at once; onGiveUp hears of each give-up", async () => {
    const name = uniqueChannel();
    const now = new Date();
    const [retry, giveUp] = await enqueue(name, 2, now);
    const gaveUp: string[] = [];
    const channel = simpleChannel({
      name,
      retryDelaysMs: [7_000],
      async send(row) {
        if (row.id === giveUp) throw new GiveUpError("no point");
        throw new Error("try later");
      },
      onGiveUp: (row, reason) => gaveUp.push(`${row.id}: ${reason}`),
    });
    expect(await drainQueue([channel], { now, ids: [retry!, giveUp!] })).toMatchObject({ claimed: 2, retried: 1, failed: 1 });
    expect(gaveUp).toEqual([`${giveUp}: no point`]);
    const row = await db.outboxMessage.findUniqueOrThrow({ where: { id: retry } });
    expect(row).toMatchObject({ status: "pending", lastError: "try later" });
    expect(row.nextAttemptAt.getTime()).toBe(now.getTime() + 7_000);
    // The second attempt is the last one (one retry delay): failed.
    expect(await drainQueue([channel], { now: row.nextAttemptAt, ids: [retry!] })).toMatchObject({ failed: 1 });
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id: retry } })).toMatchObject({ status: "failed", attempts: 2 });
  });

  it("keeps what keptAfterSend returns as the payload of a sent row (undefined keeps it as it was)", async () => {
    const name = uniqueChannel();
    const [scrubbed, kept] = await enqueue(name, 2);
    const channel = simpleChannel({
      name,
      retryDelaysMs: [],
      send: async () => {},
      keptAfterSend: (row) => (row.id === scrubbed ? { scrubbed: true } : undefined),
    });
    await drainQueue([channel], { ids: [scrubbed!, kept!] });
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: scrubbed } })).payload).toEqual({ scrubbed: true });
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: kept } })).payload).toEqual({ n: 1 });
  });

  it("a worker whose lease ran out cannot mark the row another worker took over", async () => {
    const name = uniqueChannel();
    const now = new Date();
    const [id] = await enqueue(name, 1, now);
    let release!: () => void;
    let started!: () => void;
    const sending = new Promise<void>((resolve) => (started = resolve));
    const slow: QueueChannel = {
      name,
      retryDelaysMs: [1_000],
      openBatch: () => ({
        async send() {
          started();
          await new Promise<void>((resolve) => (release = resolve));
          throw new Error("too late");
        },
      }),
    };
    const stale = drainQueue([slow], { now, ids: [id!] });
    await sending;
    // Worker A is stuck past its lease: worker B claims the row again and delivers it.
    const fast = simpleChannel({ name, retryDelaysMs: [1_000], send: async () => {} });
    expect(await drainQueue([fast], { now: new Date(now.getTime() + QUEUE_LEASE_MS + 1), ids: [id!] })).toMatchObject({ claimed: 1, sent: 1 });
    release();
    await stale;
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "sent", attempts: 2, lastError: null });
  });

  it("opens one batch per channel with its rows, and closes it before the rows are marked", async () => {
    const name = uniqueChannel();
    const ids = await enqueue(name, 3);
    const seen: { opened?: string[]; statusAtClose?: string[] } = {};
    const channel: QueueChannel = {
      name,
      retryDelaysMs: [],
      concurrency: 2,
      openBatch: (rows: QueueRow[]) => {
        seen.opened = rows.map((row) => row.id).sort();
        return {
          send: async () => {},
          async close() {
            seen.statusAtClose = (await db.outboxMessage.findMany({ where: { id: { in: ids } } })).map((row) => row.status);
          },
        };
      },
    };
    await drainQueue([channel], { ids });
    expect(seen.opened).toEqual([...ids].sort());
    expect(seen.statusAtClose).toEqual(["sending", "sending", "sending"]);
  });
});

describe("kickDrain (outside a request: no after())", () => {
  it("runs the drain at once, coalescing kicks that come during it into one more run", async () => {
    let runs = 0;
    let finish!: () => void;
    const drain = async () => {
      runs++;
      if (runs === 1) await new Promise<void>((resolve) => (finish = resolve));
    };
    kickDrain(drain);
    await new Promise((resolve) => setTimeout(resolve, 10));
    kickDrain(drain);
    kickDrain(drain);
    expect(runs).toBe(1);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(2);
  });

  it("does nothing when only a post-response kick was asked for, or with OUTBOX_LOOP=off", async () => {
    let runs = 0;
    kickDrain(async () => void runs++, { onlyAfterResponse: true });
    process.env.OUTBOX_LOOP = "off";
    resetConfigCache();
    kickDrain(async () => void runs++);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(0);
  });

  it("a drain kicked from inside a transaction runs outside it: it may use db on its own", async () => {
    const result = new Promise<number>((resolve, reject) => {
      void db.$transaction(async () => {
        kickDrain(async () => {
          try {
            resolve(await db.outboxMessage.count({ where: { channel: "none" } }));
          } catch (error) {
            reject(error);
          }
        });
      });
    });
    expect(await result).toBe(0);
  });
});

describe("shutting down (issue 17)", () => {
  // What instrumentation.ts registers (lib/background/shutdown.ts).
  onShutdown(waitForIdleQueue);
  afterEach(() => resetLifecycleForTests());

  it("finishes and marks the sends in flight, hands the unstarted rows back at once, and claims nothing more", async () => {
    const name = uniqueChannel();
    const ids = await enqueue(name, 6);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const channel = simpleChannel({
      name,
      retryDelaysMs: [1_000],
      concurrency: 2,
      async send(row) {
        started.push(row.id);
        await held;
      },
    });
    const drain = drainQueue([channel], { ids, limit: 6, maxDurationMs: 10_000 });
    await expect.poll(() => started.length).toBe(2);

    // SIGTERM: the two sends in flight finish; shutDown resolves once the drain has marked them.
    const stopped = shutDown({ waitMs: 10_000 });
    expect(await drainQueue([channel], { ids })).toEqual({ claimed: 0, sent: 0, retried: 0, failed: 0 });
    release();
    await stopped;
    expect(await drain).toEqual({ claimed: 2, sent: 2, retried: 0, failed: 0 });

    const rows = await db.outboxMessage.findMany({ where: { id: { in: ids } } });
    const sent = rows.filter((row) => started.includes(row.id));
    const handedBack = rows.filter((row) => !started.includes(row.id));
    expect(sent.map((row) => [row.status, row.attempts])).toEqual([["sent", 1], ["sent", 1]]);
    // As if never claimed: pending, due now, the attempt not counted (no lease to wait out).
    expect(handedBack).toHaveLength(4);
    expect(handedBack.every((row) => row.status === "pending" && row.attempts === 0 && row.nextAttemptAt.getTime() <= Date.now())).toBe(true);

    // Another instance (here: this one, running again) sends them on its first drain.
    resetLifecycleForTests();
    expect(await drainQueue([simpleChannel({ name, retryDelaysMs: [], send: async () => {} })], { ids })).toMatchObject({ claimed: 4, sent: 4 });
  });

  it("gives up waiting after waitMs: a send still running keeps its lease", async () => {
    const name = uniqueChannel();
    const [id] = await enqueue(name, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const channel = simpleChannel({ name, retryDelaysMs: [], send: () => held });
    const drain = drainQueue([channel], { ids: [id!] });
    await expect.poll(async () => (await db.outboxMessage.findUniqueOrThrow({ where: { id: id! } })).status).toBe("sending");
    const before = Date.now();
    await shutDown({ waitMs: 200 });
    expect(Date.now() - before).toBeLessThan(5_000);
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: id! } })).status).toBe("sending");
    release();
    await drain;
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id: id! } })).status).toBe("sent");
  });
});

// Issue 17's soak: rows of a killed instance waited out a 2-minute lease. The lease is short now,
// because a live worker renews it for as long as its sends take.
describe("lease renewal", () => {
  it("keeps a slow send's row leased past the lease, so no other worker sends it again", async () => {
    const name = uniqueChannel();
    const [id] = await enqueue(name, 1);
    let sends = 0;
    const slow = simpleChannel({
      name,
      retryDelaysMs: [1_000],
      async send() {
        sends++;
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      },
    });
    const first = drainQueue([slow], { ids: [id!], leaseMs: 600 });
    // Well past the first lease (600 ms): without renewal the row is due again and another worker takes it.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await drainQueue([slow], { ids: [id!], leaseMs: 600 })).toMatchObject({ claimed: 0 });
    expect(await first).toMatchObject({ claimed: 1, sent: 1 });
    expect(sends).toBe(1);
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("leases for QUEUE_LEASE_MS (30 s): an abandoned row comes back within it", async () => {
    expect(QUEUE_LEASE_MS).toBeLessThanOrEqual(30_000);
    const name = uniqueChannel();
    const now = new Date();
    const [id] = await enqueue(name, 1, now);
    // A worker that died holding the row: leased, never renewed.
    await db.$executeRaw`UPDATE "OutboxMessage" SET status = 'sending', attempts = 1, "nextAttemptAt" = ${new Date(now.getTime() + QUEUE_LEASE_MS)} WHERE id = ${id!}`;
    const channel = simpleChannel({ name, retryDelaysMs: [1_000], send: async () => {} });
    expect(await drainQueue([channel], { now: new Date(now.getTime() + QUEUE_LEASE_MS - 1), ids: [id!] })).toMatchObject({ claimed: 0 });
    expect(await drainQueue([channel], { now: new Date(now.getTime() + QUEUE_LEASE_MS + 1), ids: [id!] })).toMatchObject({ claimed: 1, sent: 1 });
  });
});
