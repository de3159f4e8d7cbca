import { randomBytes } from "node:crypto";
import { Redis as IORedis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createRateLimitStore } from "./limiter";
import { loadRateLimitConfig } from "./config";
import { upstashRedisOverIoredis } from "./redis-adapter";
import { clearOfWindowEdge } from "@/test/rate-limit";

/**
 * The Upstash path cannot reach Upstash here, so fetch is replaced at the
 * boundary by a fake of the Upstash REST API (POST <url> with a JSON command
 * array and `Authorization: Bearer <token>`, answering `{ result }` or
 * `{ error }`), which runs the commands on the local redis-server.
 */
const URL_ = "https://eu1-test.upstash.io";
const TOKEN = "upstash-test-token";
let backend: IORedis;
const seen: { url: string; authorization: string | null; command: unknown[] }[] = [];

function encode(value: unknown, base64: boolean): unknown {
  if (typeof value === "string") return base64 ? Buffer.from(value).toString("base64") : value;
  if (Array.isArray(value)) return value.map((item) => encode(item, base64));
  return value;
}

beforeAll(async () => {
  backend = new IORedis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
  const scripts = upstashRedisOverIoredis(backend);
  const run = async (command: unknown[]): Promise<{ result?: unknown; error?: string }> => {
    const [name, first, count, ...rest] = command as [string, string, number, ...unknown[]];
    const keys = rest.slice(0, Number(count)) as string[];
    const args = rest.slice(Number(count));
    try {
      if (name.toLowerCase() === "evalsha") return { result: await scripts.evalsha(first, keys, args) };
      if (name.toLowerCase() === "eval") return { result: await scripts.eval(first, keys, args) };
      if (name.toLowerCase() === "ping") return { result: await backend.ping() };
      return { error: `ERR fake Upstash does not implement ${name}` };
    } catch (error) {
      return { error: String((error as Error).message) };
    }
  };
  vi.stubGlobal("fetch", async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    const headers = new Headers(init?.headers);
    const base64 = headers.get("upstash-encoding") === "base64";
    const body = JSON.parse(String(init?.body));
    if (headers.get("authorization") !== `Bearer ${TOKEN}`) return new Response(JSON.stringify({ error: "Unauthorized" }), { status: 401 });
    if (url.endsWith("/pipeline") || url.endsWith("/multi-exec")) {
      const replies = [];
      for (const command of body as unknown[][]) {
        seen.push({ url, authorization: headers.get("authorization"), command });
        const reply = await run(command);
        replies.push("result" in reply ? { result: encode(reply.result, base64) } : reply);
      }
      return new Response(JSON.stringify(replies), { status: 200 });
    }
    seen.push({ url, authorization: headers.get("authorization"), command: body });
    const reply = await run(body);
    if (reply.error) return new Response(JSON.stringify({ error: reply.error }), { status: 400 });
    return new Response(JSON.stringify({ result: encode(reply.result, base64) }), { status: 200 });
  });
});

afterEach(() => {
  seen.length = 0;
});

afterAll(async () => {
  vi.unstubAllGlobals();
  await backend.quit();
});

describe("Upstash REST rate-limit store", () => {
  it("is chosen from UPSTASH_* and speaks the Upstash REST protocol", async () => {
    const config = loadRateLimitConfig({
      UPSTASH_REDIS_REST_URL: URL_,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      RATE_LIMIT_PREFIX: `test:up:${randomBytes(6).toString("hex")}`,
    } as unknown as NodeJS.ProcessEnv);
    const store = await createRateLimitStore(config);
    expect(store.kind).toBe("upstash");

    const rule = { name: "t", limit: 2, windowSeconds: 30 };
    await clearOfWindowEdge(rule.windowSeconds);
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await store.limit(rule, "198.51.100.4")).success);
    expect(results).toEqual([true, true, false]);

    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const request of seen) {
      expect(request.url.startsWith(URL_)).toBe(true);
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
      expect(["evalsha", "eval"]).toContain(String(request.command[0]).toLowerCase());
    }
    await store.ping();
    expect(seen.at(-1)!.command).toEqual(["ping"]);
    seen.pop();

    // Keys carry our prefix and the rule name; the identifier is in them, nothing else of the request.
    const keys = seen.map((request) => String(request.command[3]));
    expect(keys.every((key) => key.startsWith(`${config.prefix}:t:198.51.100.4:`))).toBe(true);
  });
});
