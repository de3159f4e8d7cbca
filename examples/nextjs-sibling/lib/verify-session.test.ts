import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SignJWT, generateKeyPair } from "jose";
import { resetConfigCache } from "@/lib/config";
import { mintSessionToken, rotateSigningKey } from "@/lib/session";
import { GET as handshakeRoute } from "@/app/api/auth/handshake/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { passwordUser } from "@/security/helpers";
import { CookieJar, makeRequest } from "@/test/http";
import { serveLiveJwks } from "../../test-support/live-jwks";
import { CLIENT_COOKIE, SESSION_COOKIE, createSessionVerifier, portalRedirectUrl } from "./verify-session";

/**
 * The sibling app's verification module against the portal's live JWKS over
 * HTTP, and the round trip a browser makes between the two apps, through the
 * portal's real sign-in and handshake route handlers.
 */
const PORTAL = "https://auth.example.com";
const APP = "https://app.example.com";
let jwks: Awaited<ReturnType<typeof serveLiveJwks>>;

beforeAll(async () => {
  jwks = await serveLiveJwks();
});
afterAll(() => jwks.close());
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

let counter = 0;
async function portalToken(options: { issuer?: string; authorizedParty?: string; now?: Date; role?: "user" | "admin"; actorId?: string } = {}) {
  counter += 1;
  const { token } = await mintSessionToken(
    { userId: `user_${counter}`, sessionId: `sess_${counter}`, role: options.role ?? "user", emailVerified: true, actorId: options.actorId },
    { issuer: options.issuer ?? PORTAL, authorizedParty: options.authorizedParty ?? PORTAL, now: options.now },
  );
  return token;
}

const kidOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid as string;

describe("createSessionVerifier (jose, live JWKS)", () => {
  it("accepts a portal token and returns who it is for", async () => {
    const verify = createSessionVerifier({ portalUrl: PORTAL, jwksUrl: jwks.url });
    const token = await portalToken({ role: "admin", actorId: "user_support" });
    const result = await verify(token);
    expect(result).toMatchObject({ ok: true, session: { userId: `user_${counter}`, sessionId: `sess_${counter}`, role: "admin", actorId: "user_support" } });
  });

  it("takes the portal URL with a path or trailing slash: the issuer is its origin", async () => {
    const verify = createSessionVerifier({ portalUrl: `${PORTAL}/`, jwksUrl: jwks.url });
    expect((await verify(await portalToken())).ok).toBe(true);
  });

  it("verifies networklessly once the keys are cached", async () => {
    const verify = createSessionVerifier({ portalUrl: PORTAL, jwksUrl: jwks.url });
    await verify(await portalToken());
    const before = jwks.fetches();
    for (let index = 0; index < 5; index += 1) expect((await verify(await portalToken())).ok).toBe(true);
    expect(jwks.fetches()).toBe(before);
  });

  it("says why a token is refused: missing, expired, invalid (issuer, tampering, foreign key, HS256)", async () => {
    const verify = createSessionVerifier({ portalUrl: PORTAL, jwksUrl: jwks.url });
    expect(await verify(undefined)).toEqual({ ok: false, reason: "missing" });
    expect(await verify(await portalToken({ now: new Date(Date.now() - 10 * 60_000) }))).toEqual({ ok: false, reason: "expired" });
    expect(await verify(await portalToken({ issuer: "https://evil.example.com" }))).toEqual({ ok: false, reason: "invalid" });

    const genuine = await portalToken();
    const [header, payload, signature] = genuine.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: "admin" })).toString("base64url");
    expect(await verify(`${header}.${elevated}.${signature}`)).toEqual({ ok: false, reason: "invalid" });

    const { privateKey } = await generateKeyPair("ES256");
    for (const kid of [kidOf(genuine), "key_not_in_the_jwks"]) {
      const foreign = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid }).sign(privateKey);
      expect(await verify(foreign)).toEqual({ ok: false, reason: "invalid" });
    }
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: kidOf(genuine) }).sign(new TextEncoder().encode("x".repeat(32)));
    expect(await verify(hs256)).toEqual({ ok: false, reason: "invalid" });
    expect(await verify("not-a-jwt")).toEqual({ ok: false, reason: "invalid" });
  });

  it("checks azp when authorizedParties is set", async () => {
    const verify = createSessionVerifier({ portalUrl: PORTAL, jwksUrl: jwks.url, authorizedParties: [PORTAL] });
    expect((await verify(await portalToken({ authorizedParty: PORTAL }))).ok).toBe(true);
    expect(await verify(await portalToken({ authorizedParty: "https://other.example.com" }))).toEqual({ ok: false, reason: "invalid" });
  });

  it("answers unavailable, not invalid, when the JWKS cannot be fetched", async () => {
    // A port that was just free: the connection is refused.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const verify = createSessionVerifier({ portalUrl: PORTAL, jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` });
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await verify(await portalToken())).toEqual({ ok: false, reason: "unavailable" });
  });

  it("after a key rotation: the new kid is accepted after one refetch (past jose's 30 s cooldown); old tokens keep working", async () => {
    const verify = createSessionVerifier({ portalUrl: PORTAL, jwksUrl: jwks.url });
    const oldToken = await portalToken();
    expect((await verify(oldToken)).ok).toBe(true);

    const { kid } = await rotateSigningKey();
    const newToken = await portalToken();
    expect(kidOf(newToken)).toBe(kid);

    // Within 30 s of its last fetch jose does not refetch for an unknown kid: the token is refused for now.
    const before = jwks.fetches();
    expect(await verify(newToken)).toEqual({ ok: false, reason: "invalid" });
    expect(jwks.fetches()).toBe(before);

    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 31_000 });
    expect((await verify(newToken)).ok).toBe(true);
    expect(jwks.fetches() - before).toBe(1);
    expect((await verify(oldToken)).ok).toBe(true); // still within its 60 s, and its key still published
    expect(jwks.fetches() - before).toBe(1);
  });
});

describe("portalRedirectUrl", () => {
  it("sends a browser with a __client cookie through the handshake, others to sign-in, with the way back", () => {
    const returnTo = `${APP}/dashboard?tab=2`;
    expect(portalRedirectUrl({ portalUrl: PORTAL, returnTo, hasClientCookie: true })).toBe(
      `${PORTAL}/api/auth/handshake?redirect_url=${encodeURIComponent(returnTo)}`,
    );
    expect(portalRedirectUrl({ portalUrl: `${PORTAL}/`, returnTo, hasClientCookie: false })).toBe(
      `${PORTAL}/sign-in?redirect_url=${encodeURIComponent(returnTo)}`,
    );
  });
});

describe("the round trip with the portal's real routes (AUTH_COOKIE_DOMAIN=.example.com)", () => {
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.AUTH_URL = PORTAL;
    process.env.AUTH_COOKIE_DOMAIN = ".example.com";
    process.env.ALLOWED_REDIRECT_ORIGINS = APP;
    resetConfigCache();
  });
  afterAll(() => {
    for (const name of ["AUTH_URL", "AUTH_COOKIE_DOMAIN", "ALLOWED_REDIRECT_ORIGINS"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    resetConfigCache();
  });

  /** Set-Cookie attributes of one cookie in a response. */
  const cookieLine = (response: Response, name: string) => response.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));

  it("sign-in returns to the sibling app with a __session on the parent domain that the sibling verifies; the handshake renews it", async () => {
    const verify = createSessionVerifier({ portalUrl: PORTAL, jwksUrl: jwks.url });
    const user = await passwordUser();
    const jar = new CookieJar();

    // 1. Signed out: the sibling sends the browser to the portal's sign-in page, which posts back with redirect_url.
    const signInPage = new URL(portalRedirectUrl({ portalUrl: PORTAL, returnTo: `${APP}/dashboard`, hasClientCookie: false }));
    expect(signInPage.pathname).toBe("/sign-in");
    const signedIn = await signInRoute(
      makeRequest("/api/auth/sign-in", {
        body: { email: user.email, password: user.password, redirectUrl: signInPage.searchParams.get("redirect_url") },
        headers: { origin: PORTAL },
        jar,
      }),
    );
    expect(signedIn.status).toBe(200);
    expect(((await signedIn.json()) as { redirectUrl: string }).redirectUrl).toBe(`${APP}/dashboard`);
    for (const name of [SESSION_COOKIE, CLIENT_COOKIE]) {
      const line = cookieLine(signedIn, name)!;
      expect(line).toMatch(/; Domain=\.?example\.com/i);
      expect(line).toMatch(/; HttpOnly/i);
      expect(line).toMatch(/; Secure/i);
      expect(line).toMatch(/; SameSite=lax/i);
    }
    jar.absorb(signedIn);

    // 2. The sibling reads __session (sent to app.example.com thanks to the Domain) and verifies it on its own.
    const first = await verify(jar.values.get(SESSION_COOKIE));
    expect(first).toMatchObject({ ok: true, session: { userId: user.userId } });

    // 3. The token has expired (60 s) and __client is there: through the handshake and straight back.
    jar.values.delete(SESSION_COOKIE);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // a new iat, so a new token
    const handshake = new URL(portalRedirectUrl({ portalUrl: PORTAL, returnTo: `${APP}/dashboard?tab=2`, hasClientCookie: jar.values.has(CLIENT_COOKIE) }));
    expect(handshake.pathname).toBe("/api/auth/handshake");
    const renewed = await handshakeRoute(makeRequest(`${handshake.pathname}${handshake.search}`, { jar }));
    expect(renewed.status).toBe(307);
    expect(renewed.headers.get("location")).toBe(`${APP}/dashboard?tab=2`);
    expect(cookieLine(renewed, SESSION_COOKIE)).toMatch(/; Domain=\.?example\.com/i);
    jar.absorb(renewed);
    const second = await verify(jar.values.get(SESSION_COOKIE));
    expect(second).toMatchObject({ ok: true, session: { userId: user.userId } });
    if (first.ok && second.ok) expect(second.session.sessionId).toBe(first.session.sessionId);
  });

  it("a return address outside ALLOWED_REDIRECT_ORIGINS lands on the portal's home page instead", async () => {
    const user = await passwordUser();
    const jar = new CookieJar();
    const signedIn = await signInRoute(
      makeRequest("/api/auth/sign-in", {
        body: { email: user.email, password: user.password, redirectUrl: "https://evil.example.net/steal" },
        headers: { origin: PORTAL },
        jar,
      }),
    );
    expect(((await signedIn.json()) as { redirectUrl: string }).redirectUrl).toBe("/");
    jar.absorb(signedIn);
    jar.values.delete(SESSION_COOKIE);
    const handshake = await handshakeRoute(makeRequest(`/api/auth/handshake?redirect_url=${encodeURIComponent("https://evil.example.net/steal")}`, { jar }));
    expect(handshake.headers.get("location")).toBe(`${PORTAL}/`);
  });
});
