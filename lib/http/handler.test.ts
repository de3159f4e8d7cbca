import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { AppError } from "@/lib/errors";
import { RATE_LIMIT_RULES, enforceRateLimit, resetRateLimitConfigCache, setRateLimitStore, RateLimitStoreError, type RateLimitStore } from "@/lib/ratelimit";
import { makeRequest, uniqueEmail } from "@/test/http";
import { handler } from "./handler";
import { json } from "./responses";
import { steadyMemoryStore } from "@/test/rate-limit";

// A stand-in route: the handler picks rules by the request path, so it can be
// mounted at any path, including endpoints other engineers are still building.
const echo = handler({ body: z.object({ email: z.string().optional() }).loose() }, async () => json({ ok: true }));

function post(path: string, body: unknown, ip?: string) {
  // With no trusted proxy (the default) the client IP is the peer address: the last X-Forwarded-For entry.
  return echo(makeRequest(path, { body, headers: ip ? { "x-forwarded-for": ip } : {} }));
}

beforeEach(() => setRateLimitStore(steadyMemoryStore()));
afterEach(() => {
  setRateLimitStore(undefined);
  delete process.env.RATE_LIMIT;
  delete process.env.RATE_LIMIT_ON_STORE_ERROR;
  resetRateLimitConfigCache();
});

describe("handler rate limits (S10 defaults)", () => {
  it("sign-in (lib/sign-in's budget, through the route): the 11th attempt on one identifier within 15 min gets 429 with Retry-After, whatever the IP or case", async () => {
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
        expect(body.errors).toEqual([{ code: "rate_limited", message: expect.stringMatching(/^Too many password attempts for this account .*Try again in \d+ (minutes?|seconds?)\.$/) }]);
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

  it("code/link sends: 30 per 10 min per IP, across addresses (the per-address budget is lib/verification's)", async () => {
    for (const path of ["/api/auth/email/send", "/api/auth/password-reset/send"]) {
      const statuses = [];
      for (let i = 0; i < 31; i++) statuses.push((await post(path, { email: `s${i}@example.com` }, "192.0.2.20")).status);
      expect(statuses.filter((status) => status === 200), path).toHaveLength(30);
      expect(statuses.at(-1), path).toBe(429);
      setRateLimitStore(steadyMemoryStore());
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
      peek: async () => {
        throw new RateLimitStoreError("connection refused");
      },
      refund: async () => {},
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

  it("gives back what a request was charged when it fails on our side (5xx), not when the user failed (4xx)", async () => {
    const email = uniqueEmail("outage");
    const failing = handler({ body: z.object({ email: z.string() }) }, async ({ body }) => {
      await enforceRateLimit(RATE_LIMIT_RULES.sendPerIdentifier, body.email);
      throw new Error("SMTP relay exploded"); // our fault
    });
    const refusing = handler({ body: z.object({ email: z.string() }) }, async ({ body }) => {
      await enforceRateLimit(RATE_LIMIT_RULES.sendPerIdentifier, body.email);
      throw new AppError("validation_failed", "the user's fault");
    });
    const original = console.error;
    console.error = () => {};
    try {
      for (let i = 0; i < 5; i++) expect((await failing(makeRequest("/api/x", { body: { email } }))).status).toBe(500);
    } finally {
      console.error = original;
    }
    // Five outages later the address still has its whole budget of 3 ...
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await refusing(makeRequest("/api/x", { body: { email } }))).status);
    // ... and 4xx answers keep their charge.
    expect(statuses).toEqual([400, 400, 400, 429]);
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

  it("parses Content-Type as a media type: 'text/plain; application/json' is not JSON", async () => {
    for (const type of ["text/plain; application/json", "text/plain;charset=application/json", "application/jsonx", "multipart/form-data; boundary=application/json"]) {
      const response = await strict(makeRequest("/api/x", { rawBody: '{"email":"a"}', headers: { "content-type": type } }));
      expect(response.status, type).toBe(415);
    }
    for (const type of ["application/json", "Application/JSON; charset=utf-8", " application/json ;charset=UTF-8"]) {
      const response = await strict(makeRequest("/api/x", { rawBody: '{"email":"a"}', headers: { "content-type": type } }));
      expect(response.status, type).toBe(200);
    }
  });

  it("refuses a state-changing browser request with no Origin unless the browser says same-origin", async () => {
    const noOrigin = (headers: Record<string, string>) =>
      strict(makeRequest("/api/x", { body: { email: "a" }, headers: { origin: "", ...headers } }));
    expect((await noOrigin({})).status).toBe(403);
    expect((await noOrigin({ "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await noOrigin({ "sec-fetch-site": "none" })).status).toBe(403);
    expect((await noOrigin({ "sec-fetch-site": "same-origin" })).status).toBe(200);
    // A bearer-authenticated machine endpoint opts out (cron): no browser sends its secret by itself.
    const machine = handler({ caller: "bearer" }, async () => json({ ok: true }));
    expect((await machine(makeRequest("/api/x", { method: "POST", headers: { origin: "" } }))).status).toBe(200);
  });
});

describe("shared field schemas refuse control characters with a 400, never a 500 (Postgres refuses NUL)", () => {
  it("in ids, names and tokens, through the real routes", async () => {
    const { POST: verifyCode } = await import("@/app/api/auth/email/verify-code/route");
    const { POST: resetVerify } = await import("@/app/api/auth/password-reset/verify/route");
    const { POST: signUp } = await import("@/app/api/auth/sign-up/route");
    const { POST: confirmLink } = await import("@/app/api/auth/email/confirm-link/route");
    const cases: [(request: never) => Promise<Response>, string, unknown][] = [
      [verifyCode, "/api/auth/email/verify-code", { attemptId: "sia_abc\u0000def", code: "123456" }],
      [resetVerify, "/api/auth/password-reset/verify", { resetId: "ver_\u0000", code: "123456" }],
      [signUp, "/api/auth/sign-up", { email: uniqueEmail("nul"), password: "correct horse battery staple 42", firstName: "Ann\u0000" }],
      [confirmLink, "/api/auth/email/confirm-link", { token: "abc\u0000" }],
    ];
    for (const [route, path, body] of cases) {
      const response = await route(makeRequest(path, { body }) as never);
      expect(response.status, path).toBe(400);
      expect((await response.json()).errors[0].code, path).toBe("validation_failed");
    }
  });
});
