import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { Redis as IORedis } from "ioredis";
import { beforeAll, describe, expect, it } from "vitest";
import { clearOfWindowEdge } from "@/test/rate-limit";

/**
 * S10: with REDIS_URL, two app instances share one limit. Two separate Node
 * processes run the real lib/ratelimit code against the real redis-server
 * (CI starts one); each would allow LIMIT on its own, together they allow
 * exactly LIMIT. No Redis is a failure, never a skip.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const LIMIT = 7;
const ATTEMPTS_EACH = 10;
/**
 * The store's sliding window (@upstash/ratelimit) is an approximation: it weights the previous
 * fixed window's count by the part of it still inside the sliding one, rounded down, so checks
 * that straddle a window boundary may allow one more (6 requests at 0.99 count as 5). With 60 s
 * windows this test once counted 8 in CI: each check is one atomic script, so a boundary is the
 * way it can. An hour-long window, never entered in its last half minute, keeps both instances
 * inside one.
 */
const WINDOW_SECONDS = 3600;
const BOUNDARY_MARGIN_MS = 30_000;
const run = promisify(execFile);


beforeAll(async () => {
  const client = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`redis-server is not reachable at ${REDIS_URL}; this suite needs it (redis-server --daemonize yes --save ""): ${error}`);
  } finally {
    client.disconnect();
  }
});

async function instance(prefix: string) {
  const { stdout } = await run(process.execPath, [path.join(__dirname, "fixtures/limiter-instance.mjs")], {
    env: { ...process.env, REDIS_URL, RATE_LIMIT: "on", RATE_LIMIT_PREFIX: prefix, UPSTASH_REDIS_REST_URL: "", UPSTASH_REDIS_REST_TOKEN: "", LIMIT: String(LIMIT), ATTEMPTS: String(ATTEMPTS_EACH), WINDOW_SECONDS: String(WINDOW_SECONDS) },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as { allowed: number; limited: number; store: string };
}

describe("rate limit across two app instances sharing Redis", () => {
  it(`allows ${LIMIT} in total, not ${LIMIT} each`, { timeout: 90_000 }, async () => {
    const prefix = `test:two:${randomBytes(6).toString("hex")}`;
    await clearOfWindowEdge(WINDOW_SECONDS, BOUNDARY_MARGIN_MS);
    const [first, second] = await Promise.all([instance(prefix), instance(prefix)]);
    expect(first.store).toBe("redis");
    expect(second.store).toBe("redis");
    expect(first.allowed + second.allowed).toBe(LIMIT);
    expect(first.limited + second.limited).toBe(2 * ATTEMPTS_EACH - LIMIT);
  });

  it("control: with separate keyspaces each instance allows the limit on its own", { timeout: 90_000 }, async () => {
    const [first, second] = await Promise.all([instance(`test:two:${randomBytes(6).toString("hex")}`), instance(`test:two:${randomBytes(6).toString("hex")}`)]);
    expect(first.allowed).toBe(LIMIT);
    expect(second.allowed).toBe(LIMIT);
  });
});
