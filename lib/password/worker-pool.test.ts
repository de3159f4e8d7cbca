import os from "node:os";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfigCache } from "@/lib/config";
import { WorkerPool, passwordHashPoolSize } from "./worker-pool";

/** A stand-in worker speaking the pool's protocol, with ways to misbehave. */
const TEST_WORKER_SOURCE = `
const { parentPort, threadId } = require("node:worker_threads");
parentPort.on("message", (message) => {
  const { id, op, value, ms } = message;
  if (op === "exit") process.exit(3);
  if (op === "throw") throw new Error("boom");
  if (op === "fail") return parentPort.postMessage({ id, error: "nope" });
  if (op === "wrong-id") return parentPort.postMessage({ id: id + 1000, result: value });
  if (op === "thread") return parentPort.postMessage({ id, result: threadId });
  setTimeout(() => parentPort.postMessage({ id, result: value }), ms ?? 0);
});
`;

type TestRequest = { op: "echo" | "exit" | "throw" | "fail" | "wrong-id" | "thread"; value?: unknown; ms?: number };

const pools: WorkerPool<TestRequest, unknown>[] = [];
const workers: Worker[] = [];

function createPool(size: number): WorkerPool<TestRequest, unknown> {
  const pool = new WorkerPool<TestRequest, unknown>({
    size,
    createWorker: () => {
      const worker = new Worker(TEST_WORKER_SOURCE, { eval: true });
      workers.push(worker);
      return worker;
    },
  });
  pools.push(pool);
  return pool;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  workers.length = 0;
  vi.restoreAllMocks();
});

describe("WorkerPool", () => {
  it("starts no worker until the first job", async () => {
    const pool = createPool(2);
    expect(pool.workerCount).toBe(0);
    await expect(pool.run({ op: "echo", value: "hello" })).resolves.toBe("hello");
    expect(pool.workerCount).toBe(1);
  });

  it("grows to its size, then queues", async () => {
    const pool = createPool(2);
    const jobs = [1, 2, 3, 4, 5].map((value) => pool.run({ op: "echo", value, ms: 20 }));
    expect(pool.workerCount).toBe(2);
    expect(pool.queuedCount).toBe(3);
    await expect(Promise.all(jobs)).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(pool.workerCount).toBe(2);
    expect(pool.queuedCount).toBe(0);
  });

  it("gives each caller its own result when jobs finish out of order", async () => {
    const pool = createPool(3);
    const jobs = [
      pool.run({ op: "echo", value: "slow", ms: 60 }),
      pool.run({ op: "echo", value: "fast", ms: 0 }),
      pool.run({ op: "echo", value: "medium", ms: 20 }),
    ];
    await expect(Promise.all(jobs)).resolves.toEqual(["slow", "fast", "medium"]);
  });

  it("rejects the job of a worker that exits, replaces the worker, and runs the queue", async () => {
    const pool = createPool(1);
    const crashed = pool.run({ op: "exit" });
    const queued = [pool.run({ op: "echo", value: "a" }), pool.run({ op: "echo", value: "b" })];
    await expect(crashed).rejects.toThrow(/exited unexpectedly \(code 3\)/);
    await expect(Promise.all(queued)).resolves.toEqual(["a", "b"]);
    expect(pool.workerCount).toBe(1);
    expect(workers).toHaveLength(2);
  });

  it("rejects the job of a worker that throws, and replaces it", async () => {
    const pool = createPool(1);
    const firstThread = await pool.run({ op: "thread" });
    await expect(pool.run({ op: "throw" })).rejects.toThrow("boom");
    const nextThread = await pool.run({ op: "thread" });
    expect(nextThread).not.toBe(firstThread);
    expect(pool.workerCount).toBe(1);
  });

  it("rejects a job the worker reports as failed, and keeps the worker", async () => {
    const pool = createPool(1);
    const firstThread = await pool.run({ op: "thread" });
    await expect(pool.run({ op: "fail" })).rejects.toThrow("nope");
    await expect(pool.run({ op: "thread" })).resolves.toBe(firstThread);
  });

  it("retires a worker that answers with the wrong job id", async () => {
    const pool = createPool(1);
    await expect(pool.run({ op: "wrong-id", value: "x" })).rejects.toThrow(/replied to job \d+, expected \d+/);
    await expect(pool.run({ op: "echo", value: "ok" })).resolves.toBe("ok");
    expect(workers).toHaveLength(2);
  });

  it("keeps a worker referenced only while it owes a result", async () => {
    const pool = createPool(1);
    await pool.run({ op: "echo", value: 1 }); // start the worker
    const worker = workers[0]!;
    const ref = vi.spyOn(worker, "ref");
    const unref = vi.spyOn(worker, "unref");
    const job = pool.run({ op: "echo", value: 2, ms: 10 });
    expect(ref).toHaveBeenCalledTimes(1);
    expect(unref).not.toHaveBeenCalled();
    await job;
    expect(unref).toHaveBeenCalledTimes(1);
    expect(unref.mock.invocationCallOrder[0]!).toBeGreaterThan(ref.mock.invocationCallOrder[0]!);
  });

  it("rejects a request that cannot be sent, and carries on", async () => {
    const pool = createPool(1);
    await expect(pool.run({ op: "echo", value: () => "functions do not clone" })).rejects.toThrow();
    await expect(pool.run({ op: "echo", value: "ok" })).resolves.toBe("ok");
  });

  it("rejects running and queued jobs on close, and new jobs after it", async () => {
    const pool = createPool(1);
    const running = pool.run({ op: "echo", value: 1, ms: 1000 });
    const queued = pool.run({ op: "echo", value: 2 });
    // Both settle during close(), so their expectations are attached first.
    const settled = Promise.all([expect(running).rejects.toThrow("closed"), expect(queued).rejects.toThrow("closed")]);
    await pool.close();
    await settled;
    await expect(pool.run({ op: "echo", value: 3 })).rejects.toThrow("closed");
    expect(pool.workerCount).toBe(0);
  });

  it("refuses a size below 1", () => {
    expect(() => createPool(0)).toThrow(RangeError);
  });
});

describe("passwordHashPoolSize", () => {
  const original = process.env.AUTH_PASSWORD_HASH_WORKERS;

  afterEach(() => {
    if (original === undefined) delete process.env.AUTH_PASSWORD_HASH_WORKERS;
    else process.env.AUTH_PASSWORD_HASH_WORKERS = original;
    resetConfigCache();
  });

  it("uses AUTH_PASSWORD_HASH_WORKERS when above 0", () => {
    process.env.AUTH_PASSWORD_HASH_WORKERS = "3";
    resetConfigCache();
    expect(passwordHashPoolSize()).toBe(3);
  });

  it("uses one worker per available CPU by default", () => {
    process.env.AUTH_PASSWORD_HASH_WORKERS = "0";
    resetConfigCache();
    expect(passwordHashPoolSize()).toBe(os.availableParallelism());
  });
});
