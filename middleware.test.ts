import { afterEach, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, EMAIL_HTML_CSP, HANDSHAKE_COUNT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { mintSessionToken } from "@/lib/session";
import { signedUpUser } from "@/test/fixtures";
import { ORIGIN } from "@/test/http";
import { serveJwksForMiddleware } from "@/test/jwks-server";
import { middleware } from "./middleware";

const jwks = serveJwksForMiddleware();

function visit(path: string, cookies: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const cookie = Object.entries(cookies).map(([name, value]) => `${name}=${value}`).join("; ");
  return middleware(new NextRequest(new URL(path, ORIGIN), { headers: { ...(cookie ? { cookie } : {}), ...headers } }));
}

const passedThrough = (response: Response) => response.headers.get("x-middleware-next") === "1";

/** Runs `body` with AUTH_URL (and optionally AUTH_COOKIE_DOMAIN) set as middleware reads them: from process.env. */
async function withEnv(env: { AUTH_URL: string; AUTH_COOKIE_DOMAIN?: string }, body: () => Promise<void>) {
  const previous = { AUTH_URL: process.env.AUTH_URL, AUTH_COOKIE_DOMAIN: process.env.AUTH_COOKIE_DOMAIN };
  Object.assign(process.env, env);
  try {
    await body();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** A fresh session token for the user's session, minted "now" (which a test may have moved) by `issuer`. */
async function freshToken(userId: string, issuer = ORIGIN) {
  const sid = (await db.session.findFirstOrThrow({ where: { userId } })).id;
  const minted = await mintSessionToken({ userId, sessionId: sid, role: "user", emailVerified: true }, { issuer, authorizedParty: issuer });
  return minted.token;
}

describe("middleware", () => {
  it("lets public routes through without a session", async () => {
    for (const path of ["/sign-in", "/sign-up?redirect_url=%2F", "/.well-known/jwks.json", "/api/health"]) {
      expect(passedThrough(await visit(path)), path).toBe(true);
    }
  });

  it("sends a signed-out page visit to sign-in with the original path", async () => {
    const response = await visit("/?tab=profile");
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/sign-in?redirect_url=%2F%3Ftab%3Dprofile`);
  });

  it("answers a signed-out API call with 401 and WWW-Authenticate", async () => {
    const response = await visit("/api/auth/session");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const expired = await visit("/api/auth/session", { [SESSION_COOKIE]: "garbage" });
    expect(expired.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  });

  it("passes a valid session token (cookie or Bearer), and verifies the JWKS only once", async () => {
    const { jar } = await signedUpUser();
    const token = jar.values.get(SESSION_COOKIE)!;
    expect(passedThrough(await visit("/", { [SESSION_COOKIE]: token }))).toBe(true);
    const fetchesAfterFirst = jwks.fetches();
    expect(passedThrough(await visit("/api/auth/session", {}, { authorization: `Bearer ${token}` }))).toBe(true);
    expect(jwks.fetches()).toBe(fetchesAfterFirst);
  });

  it("routes an expired token with a client cookie through the handshake", async () => {
    const { jar, userId } = await signedUpUser();
    const sid = (await db.session.findFirstOrThrow({ where: { userId } })).id;
    const expired = await mintSessionToken(
      { userId, sessionId: sid, role: "user", emailVerified: true },
      { issuer: ORIGIN, authorizedParty: ORIGIN, now: new Date(Date.now() - 120_000) },
    );
    const response = await visit("/dashboard", { [SESSION_COOKIE]: expired.token, [CLIENT_COOKIE]: jar.values.get(CLIENT_COOKIE)! });
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/handshake?redirect_url=%2Fdashboard`);
  });

  it("expires the handshake loop counter once it accepts a token, and only then", async () => {
    const { jar, userId } = await signedUpUser();
    const client = jar.values.get(CLIENT_COOKIE)!;
    const token = jar.values.get(SESSION_COOKIE)!;
    // A page served after a handshake: the counter goes (short tokens and slow pages never add up to a "loop").
    const served = await visit("/dashboard", { [SESSION_COOKIE]: token, [CLIENT_COOKIE]: client, [HANDSHAKE_COUNT_COOKIE]: "2" });
    expect(passedThrough(served)).toBe(true);
    const cleared = served.headers.getSetCookie().find((cookie) => cookie.startsWith(`${HANDSHAKE_COUNT_COOKIE}=`));
    expect(cleared).toMatch(/Max-Age=0/i);
    expect(cleared).toMatch(/Path=\//i);
    expect(cleared).toMatch(/HttpOnly/i);
    // No counter: no cookie written.
    expect((await visit("/dashboard", { [SESSION_COOKIE]: token })).headers.getSetCookie()).toEqual([]);
    // A token refused (expired) keeps the count: that is what a loop looks like.
    const sid = (await db.session.findFirstOrThrow({ where: { userId } })).id;
    const expired = await mintSessionToken(
      { userId, sessionId: sid, role: "user", emailVerified: true },
      { issuer: ORIGIN, authorizedParty: ORIGIN, now: new Date(Date.now() - 120_000) },
    );
    const refused = await visit("/dashboard", { [SESSION_COOKIE]: expired.token, [CLIENT_COOKIE]: client, [HANDSHAKE_COUNT_COOKIE]: "2" });
    expect(refused.headers.get("location")).toContain("/api/auth/handshake");
    expect(refused.headers.getSetCookie().filter((cookie) => cookie.startsWith(HANDSHAKE_COUNT_COOKIE))).toEqual([]);
    // Over https (the __Host- names) the expiry is Secure, as the cookie was set.
    await withEnv({ AUTH_URL: "https://localhost:3999" }, async () => {
      const https = await middleware(
        new NextRequest(new URL("/dashboard", "https://localhost:3999"), {
          headers: { cookie: `__Host-session=${await freshToken(userId, "https://localhost:3999")}; __Host-handshake_count=3` },
        }),
      );
      const expiry = https.headers.getSetCookie().find((cookie) => cookie.startsWith("__Host-handshake_count="));
      expect(expiry).toMatch(/Max-Age=0/i);
      expect(expiry).toMatch(/Secure/i);
      expect(expiry).not.toMatch(/Domain=/i);
    });
  });

  it("refuses a token whose payload was tampered with", async () => {
    const { jar } = await signedUpUser();
    const [header, payload, signature] = jar.values.get(SESSION_COOKIE)!.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), role: "admin" })).toString("base64url");
    const response = await visit("/admin", { [SESSION_COOKIE]: `${header}.${forged}.${signature}` });
    expect(response.headers.get("location")).toContain("/sign-in");
  });

  it("keeps /admin for role=admin", async () => {
    const user = await signedUpUser();
    const asUser = await visit("/admin", { [SESSION_COOKIE]: user.jar.values.get(SESSION_COOKIE)! });
    expect(asUser.headers.get("location")).toBe(`${ORIGIN}/`);
    const apiAsUser = await visit("/api/admin/users", { [SESSION_COOKIE]: user.jar.values.get(SESSION_COOKIE)! });
    expect(apiAsUser.status).toBe(403);

    const admin = await signedUpUser({ email: "middleware-admin@example.com" });
    expect(passedThrough(await visit("/admin", { [SESSION_COOKIE]: admin.jar.values.get(SESSION_COOKIE)! }))).toBe(true);
  });

  describe("redirects go to the instance origin (AUTH_URL), never the URL the request reached us on", () => {
    const AUTH_ORIGIN = "https://auth.example.com";
    // `next start` bound to 127.0.0.1 behind a TLS proxy sees these URLs.
    const behindProxy = (path: string, headers: Record<string, string> = {}) =>
      middleware(new NextRequest(new URL(path, "http://127.0.0.1:3999"), { headers }));

    it("sends a signed-out page visit to AUTH_URL's sign-in, with or without X-Forwarded-Proto", async () => {
      await withEnv({ AUTH_URL: AUTH_ORIGIN }, async () => {
        for (const headers of [{}, { "x-forwarded-proto": "https" }] as Record<string, string>[]) {
          const response = await behindProxy("/dashboard?tab=1", headers);
          expect(response.headers.get("location")).toBe(`${AUTH_ORIGIN}/sign-in?redirect_url=%2Fdashboard%3Ftab%3D1`);
        }
        // Next.js itself builds https://localhost:3999 from X-Forwarded-Proto: that origin must not leak either.
        const forwarded = await middleware(new NextRequest(new URL("/dashboard", "https://localhost:3999")));
        expect(forwarded.headers.get("location")).toBe(`${AUTH_ORIGIN}/sign-in?redirect_url=%2Fdashboard`);
      });
    });

    it("sends an expired session with a client cookie to AUTH_URL's handshake", async () => {
      await withEnv({ AUTH_URL: AUTH_ORIGIN }, async () => {
        const response = await behindProxy("/dashboard", { cookie: "__Host-client=abc", "x-forwarded-proto": "https" });
        expect(response.headers.get("location")).toBe(`${AUTH_ORIGIN}/api/auth/handshake?redirect_url=%2Fdashboard`);
      });
    });

    it("sends a non-admin away from /admin to AUTH_URL's home", async () => {
      const { userId } = await signedUpUser();
      await withEnv({ AUTH_URL: AUTH_ORIGIN }, async () => {
        const token = await freshToken(userId, AUTH_ORIGIN);
        const response = await behindProxy("/admin", { authorization: `Bearer ${token}` });
        expect(response.headers.get("location")).toBe(`${AUTH_ORIGIN}/`);
      });
    });
  });

  describe("cookie names (S2: __Host- over https without AUTH_COOKIE_DOMAIN)", () => {
    const HTTPS_ORIGIN = "https://auth.example.com";

    it("on an https instance reads __Host-session and __Host-client, and ignores planted plain-name cookies", async () => {
      const { userId } = await signedUpUser();
      await withEnv({ AUTH_URL: HTTPS_ORIGIN }, async () => {
        const token = await freshToken(userId, HTTPS_ORIGIN);
        const at = (cookie: string) => middleware(new NextRequest(new URL("/dashboard", HTTPS_ORIGIN), { headers: { cookie } }));
        expect(passedThrough(await at(`__Host-session=${token}`))).toBe(true);
        // A sibling subdomain can set __session / __client for our host; on https they are not ours.
        expect((await at(`__session=${token}`)).headers.get("location")).toContain("/sign-in");
        expect((await at("__client=planted")).headers.get("location")).toContain("/sign-in");
        expect((await at("__Host-client=abc")).headers.get("location")).toContain("/api/auth/handshake");
      });
    });

    it("keeps the plain names with AUTH_COOKIE_DOMAIN (sibling apps read __session) and over http", async () => {
      const { userId } = await signedUpUser();
      await withEnv({ AUTH_URL: HTTPS_ORIGIN, AUTH_COOKIE_DOMAIN: "example.com" }, async () => {
        const token = await freshToken(userId, HTTPS_ORIGIN);
        const response = await middleware(new NextRequest(new URL("/dashboard", HTTPS_ORIGIN), { headers: { cookie: `__session=${token}` } }));
        expect(passedThrough(response)).toBe(true);
      });
      const token = await freshToken(userId); // AUTH_URL http://localhost:3000 (test default)
      expect(passedThrough(await visit("/dashboard", { [SESSION_COOKIE]: token }))).toBe(true);
      expect(passedThrough(await visit("/dashboard", { "__Host-session": token }))).toBe(false);
    });
  });

  describe("JWKS outage (S2: an unreachable JWKS signs nobody out)", () => {
    const CACHE_MAX_AGE_MS = 10 * 60_000; // middleware's cacheMaxAge
    afterEach(() => {
      vi.useRealTimers();
      jwks.answer("keys");
    });

    for (const outage of ["503", "drop"] as const) {
      it(`a valid token still passes pages and API when the JWKS refetch after the cache age gets ${outage}`, async () => {
        jwks.useNewUrl(); // a key set of this test's own, fetched once below
        const { userId, jar } = await signedUpUser();
        expect(passedThrough(await visit("/", { [SESSION_COOKIE]: jar.values.get(SESSION_COOKIE)! }))).toBe(true);

        jwks.answer(outage);
        vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + CACHE_MAX_AGE_MS + 60_000 });
        const token = await freshToken(userId); // a new token: not in the verified-token cache
        const fetchesBefore = jwks.fetches();
        expect(passedThrough(await visit("/settings", { [SESSION_COOKIE]: token }))).toBe(true);
        expect(passedThrough(await visit("/api/auth/session", {}, { authorization: `Bearer ${token}` }))).toBe(true);
        expect(jwks.fetches() - fetchesBefore).toBe(1); // it tried the JWKS once, then kept the last good keys
      });
    }

    it("during the outage a forged token is still refused", async () => {
      jwks.useNewUrl();
      const { userId, jar } = await signedUpUser();
      expect(passedThrough(await visit("/", { [SESSION_COOKIE]: jar.values.get(SESSION_COOKIE)! }))).toBe(true);
      jwks.answer("503");
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + CACHE_MAX_AGE_MS + 60_000 });
      const [header, payload, signature] = (await freshToken(userId)).split(".");
      const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), role: "admin" })).toString("base64url");
      expect((await visit("/api/admin/users", {}, { authorization: `Bearer ${header}.${forged}.${signature}` })).status).toBe(401);
    });
  });

  describe("security headers (S10)", () => {
    const cspOf = (response: Response) => response.headers.get("content-security-policy") ?? "";
    const nonceOf = (csp: string) => csp.match(/'nonce-([A-Za-z0-9+/=]+)'/)?.[1];

    it("puts a CSP with a fresh nonce and the fixed headers on every kind of response (next, redirect, 401)", async () => {
      const responses = {
        next: await visit("/sign-in"),
        redirect: await visit("/dashboard"),
        unauthorized: await visit("/api/auth/session"),
      };
      const nonces = new Set<string>();
      for (const [kind, response] of Object.entries(responses)) {
        const csp = cspOf(response);
        const nonce = nonceOf(csp);
        expect(nonce, kind).toBeDefined();
        expect(nonce!.length, kind).toBeGreaterThanOrEqual(22); // 128 bits, base64
        nonces.add(nonce!);
        expect(csp, kind).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
        expect(csp, kind).toContain(`style-src 'self' 'nonce-${nonce}'`);
        for (const directive of ["default-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'"]) {
          expect(csp, kind).toContain(directive);
        }
        expect(csp, kind).not.toContain("unsafe-inline");
        expect(csp, kind).not.toContain("unsafe-eval"); // NODE_ENV=test
        expect(response.headers.get("x-frame-options"), kind).toBe("DENY");
        expect(response.headers.get("x-content-type-options"), kind).toBe("nosniff");
        expect(response.headers.get("referrer-policy"), kind).toBe("strict-origin-when-cross-origin");
        expect(response.headers.get("permissions-policy"), kind).toContain("camera=()");
        expect(response.headers.get("strict-transport-security"), kind).toBeNull(); // not production
      }
      expect(nonces.size).toBe(3);
    });

    it("gives the dev inbox's email HTML its own CSP, framable by our pages only; everything else stays unframable", async () => {
      const emailHtml = await visit("/dev/inbox/out_2abc/html");
      expect(passedThrough(emailHtml)).toBe(true); // public (the route 404s unless the inbox is on)
      expect(cspOf(emailHtml)).toBe(EMAIL_HTML_CSP);
      expect(emailHtml.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(emailHtml.headers.get("x-content-type-options")).toBe("nosniff");
      for (const path of ["/dev/inbox", "/dev/inbox/version.json", "/dev/inbox/out_2abc", "/dev/inbox/out_2abc/html/x", "/dev/inbox/a/b/html"]) {
        const response = await visit(path);
        expect(cspOf(response), path).toContain("frame-ancestors 'none'");
        expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      }
    });

    it("hands the same CSP to Next.js on the request, so it can nonce its own scripts", async () => {
      const response = await visit("/sign-up");
      expect(response.headers.get("x-middleware-request-content-security-policy")).toBe(cspOf(response));
    });

    it("adds HSTS only in production; 'unsafe-eval' and inline styles only in development (Next's dev tooling)", async () => {
      const env = process.env as Record<string, string>;
      const original = env.NODE_ENV!;
      try {
        env.NODE_ENV = "production";
        const production = await visit("/sign-in");
        expect(production.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
        expect(cspOf(production)).not.toContain("unsafe-eval");
        expect(cspOf(production)).not.toContain("unsafe-inline");
        env.NODE_ENV = "development";
        const development = await visit("/sign-in");
        expect(development.headers.get("strict-transport-security")).toBeNull();
        expect(cspOf(development)).toMatch(/script-src [^;]*'unsafe-eval'/);
        expect(cspOf(development)).toMatch(/style-src 'self' 'unsafe-inline'(;|$)/);
        // Scripts keep their nonce in development too.
        expect(cspOf(development)).toMatch(/script-src 'self' 'nonce-/);
      } finally {
        env.NODE_ENV = original;
      }
    });
  });
});
