// bcrypt runs here, in a worker thread started by lib/password/worker-pool.ts,
// so a cost-10+ hash never blocks the request thread's event loop.
// Plain JS ESM on purpose: Turbopack emits `new Worker(new URL("./hash-worker.mjs", import.meta.url))`
// as its own chunk, and Node can load this file directly in tests.
import { parentPort } from "node:worker_threads";
import bcrypt from "bcryptjs";

if (!parentPort) throw new Error("hash-worker.mjs must be started as a worker thread");
const port = parentPort;

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
