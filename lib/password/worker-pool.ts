import "server-only";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { getConfig } from "@/lib/config";

/*
 * Why hand-rolled rather than piscina: piscina loads its worker script by
 * filename at run time, which Turbopack's production bundler does not trace,
 * so the script would be missing from the build. The one form it does emit as
 * a separate chunk is `new Worker(new URL("./file.mjs", import.meta.url))`
 * (see TOOLCHAIN.md), and a small pool around that form is all S3 needs.
 */

type Reply<Result> = { id: number; result: Result } | { id: number; error: string };

type Job<Request, Result> = {
  id: number;
  request: Request;
  resolve: (result: Result) => void;
  reject: (error: Error) => void;
};

/** One worker thread and the job it is working on (a worker gets one job at a time). */
type Slot<Request, Result> = { worker: Worker; job: Job<Request, Result> | null };

export class WorkerPool<Request extends object, Result> {
  private readonly slots = new Set<Slot<Request, Result>>();
  private readonly queue: Job<Request, Result>[] = [];
  private nextJobId = 1;
  private closed = false;

  constructor(private readonly options: { size: number; createWorker: () => Worker }) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`worker pool size must be a positive integer, got ${options.size}`);
    }
  }

  get size(): number {
    return this.options.size;
  }

  /** Workers currently running (started lazily, so 0 until the first job). */
  get workerCount(): number {
    return this.slots.size;
  }

  /** Jobs waiting for a free worker. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** Sends `request` (plus an id) to a worker and resolves with its `result`. */
  run(request: Request): Promise<Result> {
    if (this.closed) return Promise.reject(new Error("worker pool is closed"));
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ id: this.nextJobId++, request, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = new Error("worker pool is closed");
    for (const job of this.queue.splice(0)) job.reject(closedError);
    const slots = [...this.slots];
    this.slots.clear();
    for (const slot of slots) slot.job?.reject(closedError);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.findIdleSlot() ?? this.startWorker();
      if (!slot) return; // every worker is busy and the pool is full: the job waits its turn
      const job = this.queue.shift()!;
      slot.job = job;
      // Idle workers are unref'd so they never keep the process alive, but while
      // a result is owed the process must not exit under the caller's await.
      slot.worker.ref();
      try {
        slot.worker.postMessage({ ...job.request, id: job.id });
      } catch (error) {
        // e.g. a request that cannot be structured-cloned: that job fails, the worker is fine.
        this.finishJob(slot);
        job.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private findIdleSlot(): Slot<Request, Result> | undefined {
    for (const slot of this.slots) if (!slot.job) return slot;
    return undefined;
  }

  private startWorker(): Slot<Request, Result> | null {
    if (this.closed || this.slots.size >= this.options.size) return null;
    const slot: Slot<Request, Result> = { worker: this.options.createWorker(), job: null };
    slot.worker.unref();
    slot.worker.on("message", (reply: Reply<Result>) => this.handleReply(slot, reply));
    slot.worker.on("error", (error) => this.handleCrash(slot, error));
    slot.worker.on("exit", (code) => this.handleCrash(slot, new Error(`worker exited unexpectedly (code ${code})`)));
    this.slots.add(slot);
    return slot;
  }

  private handleReply(slot: Slot<Request, Result>, reply: Reply<Result>): void {
    const job = slot.job;
    if (!job || reply?.id !== job.id) {
      // A reply for a job this worker does not hold means the protocol broke:
      // retire the worker rather than hand a result to the wrong caller.
      void slot.worker.terminate();
      this.handleCrash(slot, new Error(`worker replied to job ${reply?.id}, expected ${job?.id ?? "none"}`));
      return;
    }
    this.finishJob(slot);
    if ("error" in reply) job.reject(new Error(reply.error));
    else job.resolve(reply.result);
    this.dispatch();
  }

  /**
   * A worker died ('error' then 'exit', or 'exit' alone): its job fails, it
   * leaves the pool, and dispatch() starts a replacement if work is waiting
   * (otherwise the next run() does, as at first start).
   */
  private handleCrash(slot: Slot<Request, Result>, error: Error): void {
    if (!this.slots.delete(slot)) return; // already handled (error is followed by exit) or closed
    const job = slot.job;
    slot.job = null;
    job?.reject(error);
    this.dispatch();
  }

  private finishJob(slot: Slot<Request, Result>): void {
    slot.job = null;
    slot.worker.unref();
  }
}

export type HashRequest = { op: "hash"; password: string; cost: number } | { op: "compare"; password: string; hash: string };
export type HashResult = string | boolean;

// Kept on globalThis so dev-server hot reloads reuse one pool instead of leaking a new set of threads per reload.
const globalForHashPool = globalThis as unknown as { passwordHashPool?: WorkerPool<HashRequest, HashResult> };

/** AUTH_PASSWORD_HASH_WORKERS when set above 0, otherwise one worker per CPU the process may use. */
export function passwordHashPoolSize(): number {
  const configured = getConfig().AUTH_PASSWORD_HASH_WORKERS;
  return configured > 0 ? configured : os.availableParallelism();
}

/** The process-wide bcrypt pool (lib/password/hash-worker.mjs), created on first use. */
export function getPasswordHashPool(): WorkerPool<HashRequest, HashResult> {
  globalForHashPool.passwordHashPool ??= new WorkerPool<HashRequest, HashResult>({
    size: passwordHashPoolSize(),
    createWorker: () => new Worker(new URL("./hash-worker.mjs", import.meta.url)),
  });
  return globalForHashPool.passwordHashPool;
}
