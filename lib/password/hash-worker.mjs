// bcrypt runs here, in a worker thread started by lib/password/worker-pool.ts,
// so a cost-10+ hash never blocks the request thread's event loop.
// Plain JS ESM on purpose: Turbopack emits `new Worker(new URL("./hash-worker.mjs", import.meta.url))`
// as its own chunk, and Node can load this file directly in tests.
import fs from "node:fs";
import os from "node:os";
import { parentPort } from "node:worker_threads";
import bcrypt from "bcryptjs";

if (!parentPort) throw new Error("hash-worker.mjs must be started as a worker thread");
const port = parentPort;

/**
 * This thread's scheduling priority, lowered (Linux keeps a nice value per
 * thread): a sign-in storm keeps one hashing thread busy per core, and at equal
 * priority the request thread (pages, refreshes, the rest of each sign-in) waits
 * its turn behind them. Lowered, it runs as soon as it has work and the hashes
 * take what is left, so the same hashes get done and other pages stay quick
 * (docs/performance.md, sign-in storm). Elsewhere, or if refused: unchanged.
 */
const HASH_THREAD_NICE = 10;
try {
  const threadId = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
  if (Number.isInteger(threadId) && threadId > 0) os.setPriority(threadId, Math.max(os.getPriority(threadId), HASH_THREAD_NICE));
} catch {
  // No /proc/thread-self (not Linux): the default priority.
}

/**
 * Messages: { id, op: "hash", password, cost } -> { id, result: hash }
 *           { id, op: "compare", password, hash } -> { id, result: boolean }
 * Any failure is answered as { id, error: message } so the pool can reject
 * exactly that job. The sync API is right here: this thread does nothing else,
 * and the pool gives each worker one job at a time.
 */
port.on("message", (message) => {
  const { id, op, password, hash, cost } = message ?? {};
  try {
    if (typeof password !== "string") throw new TypeError("password must be a string");
    let result;
    if (op === "hash") {
      if (!Number.isInteger(cost)) throw new TypeError("cost must be an integer");
      result = bcrypt.hashSync(password, cost);
    } else if (op === "compare") {
      if (typeof hash !== "string") throw new TypeError("hash must be a string");
      result = bcrypt.compareSync(password, hash);
    } else {
      throw new TypeError(`unknown op: ${String(op)}`);
    }
    port.postMessage({ id, result });
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
