import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { RATE_LIMIT_RULES, createMemoryStore, resetRateLimitConfigCache, setRateLimitStore, RateLimitStoreError, type RateLimitStore } from "@/lib/ratelimit";
import { makeRequest, uniqueEmail } from "@/test/http";
import { handler } from "./handler";
import { json } from "./responses";

// A stand-in route: the handler picks rules by the request path, so it can be
// mounted at any path, including endpoints other engineers are still building.
const echo = handler({ body: z.object({ email: z.string().optional() }).loose() }, async () => json({ ok: true }));

function post(path: string, body: unknown, ip?: string) {
  return echo(makeRequest(path, { body, headers: ip ? { "x-forwarded-for": `${ip}, 10.0.0.1` } : {} }));
}

beforeEach(() => setRateLimitStore(createMemoryStore()));
afterEach(() => {
  setRateLimitStore(undefined);
  delete process.env.RATE_LIMIT;
  delete process.env.RATE_LIMIT_ON_STORE_ERROR;
  resetRateLimitConfigCache();
});

describe("handler rate limits (S10 defaults)", () => {
  it("sign-in: the 11th attempt on one identifier within 15 min gets 429 with Retry-After, whatever the IP or case", async () => {
    const email = uniqueEmail("limited");
    const statuses = [];
    for (let i = 0; i < 11; i++) {
      const response = await signInRoute(
        makeRequest("/api/auth/sign-in", {
          body: { email: i % 2 ? email.toUpperCase() : email, password: "wrong password guess" },
          headers: { "x-forwarded-for": `198.51.100.${i}` },
        }),
      );
      statuses.push(response.status);
      if (i === 10) {
        const retryAfter = Number(response.headers.get("retry-after"));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(15 * 60);
        const body = await response.json();
        expect(body.errors).toEqual([{ code: "rate_limited", message: `Too many attempts. Try again in ${retryAfter} seconds.` }]);
      }
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
  });

  it("sign-in: 30 per minute per IP across identifiers", async () => {
    const statuses = [];
    for (let i = 0; i < 31; i++) statuses.push((await post("/api/auth/sign-in", { email: `u${i}@example.com` }, "203.0.113.7")).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(30);
    expect(statuses.at(-1)).toBe(429);
    // Another IP is unaffected.
    expect((await post("/api/auth/sign-in", { email: "x@example.com" }, "203.0.113.8")).status).toBe(200);
  });

  it("sign-up: 10 per hour per IP", async () => {
    const statuses = [];
    for (let i = 0; i < 11; i++) statuses.push((await post("/api/auth/sign-up", { email: `n${i}@example.com` }, "192.0.2.10")).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
  });

  it("code/link sends: 3 per 10 min per identifier, on the paths being built now", async () => {
    for (const path of ["/api/auth/email/send", "/api/auth/password-reset/send"]) {
      const email = uniqueEmail("send");
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await post(path, { email }, `192.0.2.${20 + i}`)).status);
      expect(statuses, path).toEqual([200, 200, 200, 429]);
    }
  });

  it("verify endpoints: one per-IP cap of 30 per minute shared by all three", async () => {
    const paths = ["/api/auth/email/verify-code", "/api/auth/email/confirm-link", "/api/auth/password-reset/verify"];
    for (const [index, path] of paths.entries()) {
      const ip = `192.0.2.${50 + index}`;
      const statuses = [];
      for (let i = 0; i < 31; i++) statuses.push((await post(path, {}, ip)).status);
      expect(statuses.at(-2), path).toBe(200);
      expect(statuses.at(-1), path).toBe(429);
      // Switching to another verify endpoint does not buy more guesses.
      expect((await post(paths[(index + 1) % paths.length]!, {}, ip)).status).toBe(429);
    }
  });

  it("checks the IP limit before reading the body", async () => {
    for (let i = 0; i < 10; i++) await post("/api/auth/sign-up", {}, "192.0.2.60");
    const response = await echo(makeRequest("/api/auth/sign-up", { rawBody: "{not json", headers: { "x-forwarded-for": "192.0.2.60" } }));
    expect(response.status).toBe(429);
  });

  it("leaves unlisted routes alone", async () => {
    for (let i = 0; i < 40; i++) expect((await post("/api/auth/sign-out", {}, "192.0.2.70")).status).toBe(200);
  });

  it("turns off only with RATE_LIMIT=off", async () => {
    process.env.RATE_LIMIT = "off";
    resetRateLimitConfigCache();
    for (let i = 0; i < 12; i++) expect((await post("/api/auth/sign-up", {}, "192.0.2.80")).status).toBe(200);
  });

  it("lets requests through when the store is down, or refuses them with RATE_LIMIT_ON_STORE_ERROR=deny", async () => {
    const broken: RateLimitStore = {
      kind: "redis",
      limit: async () => {
        throw new RateLimitStoreError("connection refused");
      },
      reset: async () => {},
      ping: async () => {
        throw new Error("connection refused");
      },
    };
    setRateLimitStore(broken);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      expect((await post("/api/auth/sign-up", {}, "192.0.2.90")).status).toBe(200);
      expect(errors).toHaveLength(1);
      process.env.RATE_LIMIT_ON_STORE_ERROR = "deny";
      resetRateLimitConfigCache();
      const denied = await post("/api/auth/sign-up", {}, "192.0.2.90");
      expect(denied.status).toBe(429);
      expect(Number(denied.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      console.error = original;
    }
  });

  it("names the rules in one table", () => {
    expect(RATE_LIMIT_RULES.signInPerIdentifier).toMatchObject({ limit: 10, windowSeconds: 900, by: "identifier" });
    expect(RATE_LIMIT_RULES.signInPerIp).toMatchObject({ limit: 30, windowSeconds: 60, by: "ip" });
    expect(RATE_LIMIT_RULES.signUpPerIp).toMatchObject({ limit: 10, windowSeconds: 3600, by: "ip" });
    expect(RATE_LIMIT_RULES.sendPerIdentifier).toMatchObject({ limit: 3, windowSeconds: 600, by: "identifier" });
  });
});

describe("handler input validation", () => {
  const strict = handler({ body: z.strictObject({ email: z.string() }) }, async () => json({ ok: true }));

  it("answers prototype-pollution keys with 400 field errors, not a 500 (found by the fuzz suite)", async () => {
    for (const rawBody of ['{"__proto__":{"admin":true},"email":"a"}', '{"constructor":[],"email":"a"}', '{"toString":1,"email":"a"}']) {
      const response = await strict(makeRequest("/api/x", { rawBody }));
      expect(response.status, rawBody).toBe(400);
      const body = await response.json();
      expect(body.errors[0], rawBody).toMatchObject({ code: "validation_failed", message: "Unknown field." });
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    }
  });
});

