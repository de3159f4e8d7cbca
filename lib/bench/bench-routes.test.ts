import { afterEach, describe, expect, it } from "vitest";
import { GET as dbRead } from "@/app/api/bench/db-read/route";
import { GET as memory } from "@/app/api/bench/memory/route";
import { makeRequest } from "@/test/http";

// The benchmark's routes are inert in a real deployment: 404 unless AUTH_BENCH_ROUTES=1.
afterEach(() => {
  delete process.env.AUTH_BENCH_ROUTES;
});

describe("bench routes", () => {
  it("answer 404 unless AUTH_BENCH_ROUTES=1", async () => {
    expect(memory(makeRequest("/api/bench/memory")).status).toBe(404);
    expect((await dbRead(makeRequest("/api/bench/db-read?id=sess_x"))).status).toBe(404);
  });

  it("report the process's memory and read one session when enabled", async () => {
    process.env.AUTH_BENCH_ROUTES = "1";
    const response = memory(makeRequest("/api/bench/memory"));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, number>;
    expect(body.heapUsed).toBeGreaterThan(0);
    expect(body.rss).toBeGreaterThanOrEqual(body.heapUsed!);
    // ?collect=1 collects first when the process runs with --expose-gc, and says so when it does not.
    const exposed = (globalThis as { gc?: () => void }).gc;
    const collected = memory(makeRequest("/api/bench/memory?collect=1"));
    expect(collected.status).toBe(typeof exposed === "function" ? 200 : 409);
    let collections = 0;
    (globalThis as { gc?: () => void }).gc = () => void collections++;
    try {
      expect(memory(makeRequest("/api/bench/memory?collect=1")).status).toBe(200);
      expect(collections).toBe(1);
    } finally {
      (globalThis as { gc?: () => void }).gc = exposed;
    }
    expect(await (await dbRead(makeRequest("/api/bench/db-read?id=sess_missing"))).json()).toEqual({ found: false });
  });
});
