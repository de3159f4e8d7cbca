import { randomBytes } from "node:crypto";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLibraryStore } from "./library-store";
import { stripLuaShebang, upstashRedisOverIoredis } from "./redis-adapter";
import { RateLimitStoreError } from "./store";

import { clearOfWindowEdge } from "@/test/rate-limit";
/**
 * The self-hosted store: @upstash/ratelimit over a real redis-server through
 * our ioredis adapter. No Redis is a failure, not a skip (CI starts one).
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
let client: IORedis;

beforeAll(async () => {
  client = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`redis-server is not reachable at ${TEST_REDIS_URL} (start it: redis-server --daemonize yes --save ""): ${error}`);
  }
});

afterAll(async () => {
  await client.quit();
});

const prefix = () => `test:rl:${randomBytes(6).toString("hex")}`;

describe("Redis rate-limit store (ioredis adapter)", () => {
  it("strips only the shebang line Redis 7.0 refuses", () => {
    expect(stripLuaShebang("#!lua flags=allow-key-locking\nreturn 1")).toBe("return 1");
    expect(stripLuaShebang("return 1")).toBe("return 1");
  });

  it("peeks without counting and refunds one request, on the real redis-server", async () => {
    const store = createLibraryStore("redis", upstashRedisOverIoredis(client), { prefix: prefix(), ping: () => client.ping() });
    const rule = { name: "refund", limit: 2, windowSeconds: 60 };
    await clearOfWindowEdge(rule.windowSeconds);
    await store.limit(rule, "k");
    expect(await store.peek(rule, "k")).toMatchObject({ success: true, remaining: 1 });
    await store.limit(rule, "k");
    expect((await store.peek(rule, "k")).success).toBe(false);
    await store.refund(rule, "k");
    expect((await store.limit(rule, "k")).success).toBe(true);
    expect((await store.limit(rule, "k")).success).toBe(false);
  });

  it("enforces a sliding window: 3 per 10 s gives true, true, true, false, false", async () => {
    const store = createLibraryStore("redis", upstashRedisOverIoredis(client), { prefix: prefix(), ping: () => client.ping() });
    const rule = { name: "t", limit: 3, windowSeconds: 10 };
    await clearOfWindowEdge(rule.windowSeconds);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await store.limit(rule, "203.0.113.9"));
    expect(results.map((result) => result.success)).toEqual([true, true, true, false, false]);
    expect(results[4]!.reset).toBeGreaterThan(Date.now());
    expect(results[4]!.reset).toBeLessThanOrEqual(Date.now() + 10_000);
  });

  it("reloads its scripts after Redis forgets them (SCRIPT FLUSH / restart)", async () => {
    const store = createLibraryStore("redis", upstashRedisOverIoredis(client), { prefix: prefix(), ping: () => client.ping() });
    const rule = { name: "t", limit: 5, windowSeconds: 60 };
    await clearOfWindowEdge(rule.windowSeconds);
    expect((await store.limit(rule, "k")).success).toBe(true);
    await client.script("FLUSH");
    expect((await store.limit(rule, "k")).remaining).toBe(3);
  });

  it("answers a health ping", async () => {
    await createLibraryStore("redis", upstashRedisOverIoredis(client), { prefix: prefix(), ping: () => client.ping() }).ping();
  });

  it("resets one key", async () => {
    const store = createLibraryStore("redis", upstashRedisOverIoredis(client), { prefix: prefix(), ping: () => client.ping() });
    const rule = { name: "t", limit: 1, windowSeconds: 60 };
    await clearOfWindowEdge(rule.windowSeconds);
    await store.limit(rule, "k");
    expect((await store.limit(rule, "k")).success).toBe(false);
    await store.reset(rule, "k");
    expect((await store.limit(rule, "k")).success).toBe(true);
  });

  it("reports an unreachable Redis as a store error (the caller's policy decides)", async () => {
    const dead = new IORedis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    dead.on("error", () => {});
    const store = createLibraryStore("redis", upstashRedisOverIoredis(dead), { prefix: prefix(), timeoutMs: 1_000, ping: () => dead.ping() });
    await expect(store.limit({ name: "t", limit: 1, windowSeconds: 60 }, "k")).rejects.toBeInstanceOf(RateLimitStoreError);
    await expect(store.ping()).rejects.toThrow();
    dead.disconnect();
  });
});
