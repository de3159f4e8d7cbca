import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
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

    it("hands the same CSP to Next.js on the request, so it can nonce its own scripts", async () => {
      const response = await visit("/sign-up");
      expect(response.headers.get("x-middleware-request-content-security-policy")).toBe(cspOf(response));
    });

    it("adds HSTS only in production and 'unsafe-eval' only in development", async () => {
      const env = process.env as Record<string, string>;
      const original = env.NODE_ENV!;
      try {
        env.NODE_ENV = "production";
        const production = await visit("/sign-in");
        expect(production.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
        expect(cspOf(production)).not.toContain("unsafe-eval");
        env.NODE_ENV = "development";
        const development = await visit("/sign-in");
        expect(development.headers.get("strict-transport-security")).toBeNull();
        expect(cspOf(development)).toMatch(/script-src [^;]*'unsafe-eval'/);
      } finally {
        env.NODE_ENV = original;
      }
    });
  });
});
