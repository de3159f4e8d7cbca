import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { POST as emailSendRoute } from "@/app/api/auth/email/send/route";
import { GET as handshakeRoute } from "@/app/api/auth/handshake/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as signOutRoute } from "@/app/api/auth/sign-out/route";
import { resetConfigCache } from "@/lib/config";
import { CLIENT_COOKIE, HANDSHAKE_COUNT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { CookieJar } from "@/test/http";
import { nextIp, passwordUser } from "./helpers";

/**
 * S2 cookie names and flags, checked on every Set-Cookie of the auth cookies
 * that the auth flows produce. On an https instance without AUTH_COOKIE_DOMAIN
 * they are `__Host-` cookies (Secure, Path=/, no Domain: a sibling subdomain
 * cannot plant or overwrite them); over http, or with AUTH_COOKIE_DOMAIN, the
 * plain names (a `__session` with Domain is what sibling apps read).
 */
const HTTPS_ORIGIN = "https://auth.example.test";
const HOST_NAMES = ["__Host-client", "__Host-session", "__Host-handshake_count"];
const PLAIN_NAMES = [CLIENT_COOKIE, SESSION_COOKIE, HANDSHAKE_COUNT_COOKIE];
const previousEnv = { AUTH_URL: process.env.AUTH_URL, AUTH_COOKIE_DOMAIN: process.env.AUTH_COOKIE_DOMAIN };

function setEnv(env: { AUTH_URL?: string; AUTH_COOKIE_DOMAIN?: string }) {
  for (const name of ["AUTH_URL", "AUTH_COOKIE_DOMAIN"] as const) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  resetConfigCache();
}

beforeAll(() => setEnv({ AUTH_URL: HTTPS_ORIGIN }));
afterAll(() => setEnv(previousEnv));

function request(path: string, jar: CookieJar, body?: unknown, origin = HTTPS_ORIGIN): NextRequest {
  const headers: Record<string, string> = { "user-agent": "vitest", "x-forwarded-for": nextIp() };
  if (jar.values.size) headers.cookie = jar.header();
  if (body !== undefined) Object.assign(headers, { origin, "content-type": "application/json" });
  return new NextRequest(new URL(path, origin), { method: body === undefined ? "GET" : "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const nameOf = (line: string) => line.split("=")[0]!;
const authCookieLines = (response: Response) =>
  response.headers.getSetCookie().filter((line) => [...HOST_NAMES, ...PLAIN_NAMES].includes(nameOf(line)));

function attributesOf(line: string) {
  return line.split(";").slice(1).map((part) => part.trim().toLowerCase());
}

/** What a browser requires of a `__Host-` cookie, plus the S2 flags. */
function expectHostCookieFlags(line: string) {
  expect(HOST_NAMES, line).toContain(nameOf(line));
  const attributes = attributesOf(line);
  expect(attributes, line).toContain("httponly");
  expect(attributes, line).toContain("secure");
  expect(attributes, line).toContain("samesite=lax");
  expect(attributes, line).toContain("path=/");
  expect(attributes.some((attribute) => attribute.startsWith("domain=")), line).toBe(false);
}

describe("cookies: __Host- names and flags on every Set-Cookie of an https instance", () => {
  it("sign-in, refresh, handshake and sign-out all set __Host- cookies: HttpOnly; Secure; SameSite=Lax; Path=/; no Domain", async () => {
    const { email, password } = await passwordUser();
    const jar = new CookieJar();
    const seen: string[] = [];
    const check = (flow: string, response: Response, expectNames: string[]) => {
      const lines = authCookieLines(response);
      for (const name of expectNames) expect(lines.some((line) => nameOf(line) === name), `${flow} sets ${name}`).toBe(true);
      for (const line of lines) expectHostCookieFlags(line); // and never a plain-name one
      seen.push(...lines.map((line) => `${flow}:${nameOf(line)}`));
      jar.absorb(response);
    };

    const signedIn = await signInRoute(request("/api/auth/sign-in", jar, { email, password }));
    expect(signedIn.status).toBe(200);
    check("sign-in", signedIn, ["__Host-client", "__Host-session"]);
    // The client cookie outlives the browser session; the session JWT cookie never outlives the client.
    const clientLine = authCookieLines(signedIn).find((line) => nameOf(line) === "__Host-client")!;
    expect(clientLine).toMatch(/Max-Age=\d+/i);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // a new iat, so a new token
    check("refresh", await refreshRoute(request("/api/auth/session/refresh", jar, {})), ["__Host-session"]);

    jar.values.delete("__Host-session");
    const handshake = await handshakeRoute(request("/api/auth/handshake?redirect_url=%2F", jar));
    expect(handshake.status).toBe(307);
    check("handshake", handshake, ["__Host-session", "__Host-handshake_count"]);

    const signedOut = await signOutRoute(request("/api/auth/sign-out", jar, { scope: "session" }));
    check("sign-out", signedOut, ["__Host-client", "__Host-session"]);
    for (const line of authCookieLines(signedOut)) expect(line, line).toMatch(/Max-Age=0/i);

    expect(seen.length).toBeGreaterThanOrEqual(7);
  });

  it("the email code/link flow's new client cookie is a __Host- cookie with the same flags", async () => {
    const { email } = await passwordUser();
    const response = await emailSendRoute(request("/api/auth/email/send", new CookieJar(), { email, intent: "sign_in" }));
    expect(response.status).toBe(200);
    const lines = authCookieLines(response);
    expect(lines.some((line) => nameOf(line) === "__Host-client")).toBe(true);
    for (const line of lines) expectHostCookieFlags(line);
  });

  it("a plain-name __client planted by a sibling subdomain is not read on an https instance", async () => {
    const { email, password } = await passwordUser();
    const jar = new CookieJar();
    jar.absorb(await signInRoute(request("/api/auth/sign-in", jar, { email, password })));
    const planted = new CookieJar();
    // Even the genuine client token is refused under the plain name (whichever name sign-in used).
    planted.values.set(CLIENT_COOKIE, jar.values.get("__Host-client") ?? jar.values.get(CLIENT_COOKIE)!);
    const handshake = await handshakeRoute(request("/api/auth/handshake?redirect_url=%2F", planted));
    expect(handshake.headers.get("location")).toBe(`${HTTPS_ORIGIN}/sign-in?redirect_url=%2F`);
  });
});

describe("cookies: plain names over http and with AUTH_COOKIE_DOMAIN", () => {
  it("with AUTH_COOKIE_DOMAIN the plain names carry the Domain, so sibling apps can read __session", async () => {
    setEnv({ AUTH_URL: HTTPS_ORIGIN, AUTH_COOKIE_DOMAIN: "example.test" });
    try {
      const { email, password } = await passwordUser();
      const response = await signInRoute(request("/api/auth/sign-in", new CookieJar(), { email, password }));
      expect(response.status).toBe(200);
      const lines = authCookieLines(response);
      expect(lines.map(nameOf).sort()).toEqual([CLIENT_COOKIE, SESSION_COOKIE].sort());
      for (const line of lines) {
        expect(attributesOf(line), line).toContain("domain=example.test");
        expect(attributesOf(line), line).toContain("secure");
        expect(attributesOf(line), line).toContain("httponly");
      }
    } finally {
      setEnv({ AUTH_URL: HTTPS_ORIGIN });
    }
  });

  it("over http the plain names are used, and tokens never reach page JavaScript (HttpOnly)", async () => {
    const HTTP_ORIGIN = "http://localhost:3000";
    setEnv({ AUTH_URL: HTTP_ORIGIN });
    try {
      const { email, password } = await passwordUser();
      const response = await signInRoute(request("/api/auth/sign-in", new CookieJar(), { email, password }, HTTP_ORIGIN));
      const lines = authCookieLines(response);
      expect(lines.map(nameOf).sort()).toEqual([CLIENT_COOKIE, SESSION_COOKIE].sort());
      for (const line of lines) {
        expect(line).toMatch(/HttpOnly/i);
        expect(line).toMatch(/SameSite=lax/i);
        expect(line).not.toMatch(/Secure/i);
      }
    } finally {
      setEnv({ AUTH_URL: HTTPS_ORIGIN });
    }
  });
});
