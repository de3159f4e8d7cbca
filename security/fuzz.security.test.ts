import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { resetRateLimitConfigCache, setRateLimitStore } from "@/lib/ratelimit";
import { ORIGIN } from "@/test/http";
import { discoverRoutes } from "./routes";
import { steadyMemoryStore } from "@/test/rate-limit";

/**
 * S10: every handler validates its input. fast-check throws generated bad
 * input (random JSON, wrong types for the fields our routes use, huge and
 * odd unicode strings, prototype-pollution keys, broken JSON, odd content
 * types and cookies) at every route handler module under app/: never a 500,
 * never a stack trace or file path in the body. Rate limits are off here so
 * the inputs reach the validation and domain code instead of a 429.
 */
const RUNS_PER_ROUTE = 100;
const routes = await discoverRoutes();

beforeAll(() => {
  process.env.RATE_LIMIT = "off";
  resetRateLimitConfigCache();
  setRateLimitStore(steadyMemoryStore());
});
afterAll(() => {
  delete process.env.RATE_LIMIT;
  resetRateLimitConfigCache();
  setRateLimitStore(undefined);
});

const FIELDS = ["email", "password", "redirectUrl", "firstName", "lastName", "scope", "code", "token", "attemptId", "resetId", "intent", "signOutOtherDevices"];
const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.constantFrom("", " ", "\u0000", "\u202e", "🔒".repeat(40), "a".repeat(5000), "x@y", "user@example.com", "123456", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --", "${jndi:ldap://x}", "__proto__", "constructor", "NaN", "-1", "1e309"),
);
const anyValue = fc.oneof(oddString, fc.jsonValue({ maxDepth: 3 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(oddString, { maxLength: 5 }));
const fieldBody = fc.dictionary(fc.constantFrom(...FIELDS, "__proto__", "constructor", "prototype"), anyValue, { maxKeys: 6 });
const pollutedBody = fc.constantFrom(
  '{"__proto__":{"isAdmin":true},"email":"a@example.com","password":"x"}',
  '{"constructor":{"prototype":{"role":"admin"}}}',
  '{"email":{"__proto__":{"toString":1}}}',
);
const rawBody = fc.oneof(
  fieldBody.map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  pollutedBody,
  fc.string({ maxLength: 300 }), // mostly not JSON at all
  fc.constant("a".repeat(20_000)), // over the body cap
  fc.constant('{"email":"' + "a".repeat(17_000) + '"}'),
);
const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "");
const cookie = fc.option(
  fc.tuple(fc.constantFrom("__client", "__session", "__handshake_count"), fc.stringMatching(/^[\w.\-~+/=]{0,300}$/)).map(([name, value]) => `${name}=${value}`),
  { nil: undefined },
);
const query = fc.dictionary(fc.constantFrom("redirect_url", "attemptId", "id", "token", "__proto__", "x"), oddString, { maxKeys: 3 });

const STACK_TRACE = /\n\s+at\s|\bat\s+\S+\s\(|\.(?:ts|tsx|js|mjs):\d+|node_modules|\/work\/|Prisma|TypeError|ReferenceError|SyntaxError/;

describe("fuzz: generated bad input to every route handler", () => {
  it("found the route handlers", () => {
    expect(routes.length).toBeGreaterThanOrEqual(8);
  });

  for (const route of routes) {
    for (const [method, run] of Object.entries(route.methods)) {
      it(`${method} ${route.path}: never a 500, never a stack trace`, { timeout: 120_000 }, async () => {
        const errors: unknown[] = [];
        const original = console.error;
        console.error = (...args: unknown[]) => void errors.push(args); // handlers log unexpected errors; we assert on responses
        try {
          await fc.assert(
            fc.asyncProperty(rawBody, contentType, cookie, query, async (body, type, cookieHeader, params) => {
              const url = new URL(route.path, ORIGIN);
              for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
              const headers: Record<string, string> = { origin: ORIGIN, "x-forwarded-for": "192.0.2.200" };
              if (type) headers["content-type"] = type;
              if (cookieHeader) headers.cookie = cookieHeader;
              const hasBody = method !== "GET" && method !== "HEAD";
              let response: Response;
              try {
                response = await run!(new NextRequest(url, { method, headers, body: hasBody ? body : undefined }));
              } catch (error) {
                throw new Error(`handler threw (would be a 500): ${error}`);
              }
              const text = await response.text();
              expect(response.status, text.slice(0, 300)).toBeLessThan(500);
              expect(text).not.toMatch(STACK_TRACE);
            }),
            { numRuns: RUNS_PER_ROUTE },
          );
        } finally {
          console.error = original;
        }
        expect(errors, "no unexpected error was logged").toEqual([]);
      });
    }
  }
});
