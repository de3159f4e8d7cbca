import { describe, expect, it } from "vitest";
import { createMemoryStore } from "./memory-store";

const rule = { name: "test", limit: 3, windowSeconds: 10 };

describe("memory rate-limit store", () => {
  it("allows `limit` requests per key in a window, then refuses with the window's end", async () => {
    let now = 1_000_000;
    const store = createMemoryStore({ now: () => now });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await store.limit(rule, "a"));
    expect(results.map((result) => result.success)).toEqual([true, true, true, false, false]);
    expect(results[2]!.remaining).toBe(0);
    expect(results[4]!.reset).toBe(1_010_000);
    // Another key has its own count.
    expect((await store.limit(rule, "b")).success).toBe(true);
    now += 1;
    expect((await store.limit(rule, "a")).success).toBe(false);
  });

  it("slides: the previous window still counts in proportion to its overlap", async () => {
    let now = 0;
    const store = createMemoryStore({ now: () => now });
    for (let i = 0; i < 3; i++) await store.limit(rule, "a");
    now = 10_000 + 1_000; // 10 % into the next window: 90 % of 3 = 2.7 -> 2 still count
    expect((await store.limit(rule, "a")).success).toBe(true);
    expect((await store.limit(rule, "a")).success).toBe(false);
    now = 30_000; // two windows later: everything forgotten
    expect((await store.limit(rule, "a")).success).toBe(true);
  });

  it("forgets a key on reset", async () => {
    const store = createMemoryStore({ now: () => 2_000_000 });
    for (let i = 0; i < 3; i++) await store.limit(rule, "a");
    expect((await store.limit(rule, "a")).success).toBe(false);
    await store.reset(rule, "a");
    expect((await store.limit(rule, "a")).success).toBe(true);
  });

  it("is always reachable (health)", async () => {
    const { rateLimitStoreStatus, setRateLimitStore } = await import("./limiter");
    setRateLimitStore(createMemoryStore());
    expect(await rateLimitStoreStatus()).toEqual({ enabled: true, store: "memory", ok: true });
    setRateLimitStore(undefined);
  });

  it("peek reports without counting; refund gives one request back", async () => {
    const store = createMemoryStore({ now: () => 5_000_000 });
    await store.limit(rule, "a");
    await store.limit(rule, "a");
    expect(await store.peek(rule, "a")).toMatchObject({ success: true, remaining: 1 });
    expect(await store.peek(rule, "a")).toMatchObject({ remaining: 1 });
    await store.limit(rule, "a");
    expect((await store.peek(rule, "a")).success).toBe(false);
    await store.refund(rule, "a");
    expect((await store.limit(rule, "a")).success).toBe(true);
    expect((await store.limit(rule, "a")).success).toBe(false);
  });
});
