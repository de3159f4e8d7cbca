// Port and readiness helpers.
import net from "node:net";

/** A TCP port that was free a moment ago (bind to 0, read it, release it). */
export function freePort(host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until `probe()` resolves truthy. `abort()` (optional) is checked each
 * round so a crashed server fails fast instead of waiting out the timeout.
 */
export async function waitFor(label, probe, { timeoutMs = 60_000, intervalMs = 250, abort } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    const reason = abort?.();
    if (reason) throw new Error(`${label}: ${reason}`);
    try {
      const result = await probe();
      if (result) return result;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${label}: timed out after ${Math.round(timeoutMs / 1000)} s${lastError ? ` (${lastError.message})` : ""}`);
}

/** GET `url`, resolving with the status (never throws on HTTP errors). */
export async function httpStatus(url, timeoutMs = 5_000) {
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  return response.status;
}
