import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { POST as emailSendRoute } from "@/app/api/auth/email/send/route";
import { GET as handshakeRoute } from "@/app/api/auth/handshake/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as signOutRoute } from "@/app/api/auth/sign-out/route";
import { resetConfigCache } from "@/lib/config";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { CookieJar } from "@/test/http";
import { nextIp, passwordUser } from "./helpers";

/**
 * S2 cookie flags, checked on every Set-Cookie of __client and __session that
 * the auth flows produce, on an https instance (where Secure is required).
 */
const HTTPS_ORIGIN = "https://auth.example.test";
const previousAuthUrl = process.env.AUTH_URL;

beforeAll(() => {
  process.env.AUTH_URL = HTTPS_ORIGIN;
  resetConfigCache();
});
afterAll(() => {
  process.env.AUTH_URL = previousAuthUrl;
  resetConfigCache();
});

function request(path: string, jar: CookieJar, body?: unknown): NextRequest {
  const headers: Record<string, string> = { "user-agent": "vitest", "x-forwarded-for": nextIp() };
  if (jar.values.size) headers.cookie = jar.header();
  if (body !== undefined) Object.assign(headers, { origin: HTTPS_ORIGIN, "content-type": "application/json" });
  return new NextRequest(new URL(path, HTTPS_ORIGIN), { method: body === undefined ? "GET" : "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const authCookieLines = (response: Response) =>
  response.headers.getSetCookie().filter((line) => line.startsWith(`${CLIENT_COOKIE}=`) || line.startsWith(`${SESSION_COOKIE}=`));

function expectFlags(line: string) {
  const attributes = line.split(";").slice(1).map((part) => part.trim().toLowerCase());
  expect(attributes, line).toContain("httponly");
  expect(attributes, line).toContain("secure");
  expect(attributes, line).toContain("samesite=lax");
  expect(attributes, line).toContain("path=/");
  expect(attributes.some((attribute) => attribute.startsWith("domain=")), line).toBe(false); // AUTH_COOKIE_DOMAIN unset: host-only
}

describe("cookies: __client and __session flags on every Set-Cookie", () => {
  it("sign-in, refresh, handshake and sign-out all set HttpOnly; Secure; SameSite=Lax; Path=/", async () => {
    const { email, password } = await passwordUser();
    const jar = new CookieJar();
    const seen: string[] = [];
    const check = (flow: string, response: Response, expectNames: string[]) => {
      const lines = authCookieLines(response);
      for (const name of expectNames) expect(lines.some((line) => line.startsWith(`${name}=`)), `${flow} sets ${name}`).toBe(true);
      for (const line of lines) expectFlags(line);
      seen.push(...lines.map((line) => `${flow}:${line.split("=")[0]}`));
      jar.absorb(response);
    };

    const signedIn = await signInRoute(request("/api/auth/sign-in", jar, { email, password }));
    expect(signedIn.status).toBe(200);
    check("sign-in", signedIn, [CLIENT_COOKIE, SESSION_COOKIE]);
    // The client cookie outlives the browser session; the session JWT cookie never outlives the client.
    const clientLine = authCookieLines(signedIn).find((line) => line.startsWith(`${CLIENT_COOKIE}=`))!;
    expect(clientLine).toMatch(/Max-Age=\d+/i);

    await new Promise((resolve) => setTimeout(resolve, 1100)); // a new iat, so a new token
    check("refresh", await refreshRoute(request("/api/auth/session/refresh", jar, {})), [SESSION_COOKIE]);

    jar.values.delete(SESSION_COOKIE);
    const handshake = await handshakeRoute(request("/api/auth/handshake?redirect_url=%2F", jar));
    expect(handshake.status).toBe(307);
    check("handshake", handshake, [SESSION_COOKIE]);

    const signedOut = await signOutRoute(request("/api/auth/sign-out", jar, { scope: "session" }));
    check("sign-out", signedOut, [CLIENT_COOKIE, SESSION_COOKIE]);
    for (const line of authCookieLines(signedOut)) expect(line, line).toMatch(/Max-Age=0/i);

    expect(seen.length).toBeGreaterThanOrEqual(6);
  });

  it("tokens never reach page JavaScript: no auth cookie without HttpOnly, on http instances too", async () => {
    process.env.AUTH_URL = "http://localhost:3000";
    resetConfigCache();
    try {
      const { email, password } = await passwordUser();
      const response = await signInRoute(
        new NextRequest(new URL("/api/auth/sign-in", "http://localhost:3000"), {
          method: "POST",
          headers: { origin: "http://localhost:3000", "content-type": "application/json", "x-forwarded-for": nextIp() },
          body: JSON.stringify({ email, password }),
        }),
      );
      const lines = authCookieLines(response);
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).toMatch(/HttpOnly/i);
        expect(line).toMatch(/SameSite=lax/i);
      }
    } finally {
      process.env.AUTH_URL = HTTPS_ORIGIN;
      resetConfigCache();
    }
  });

  it("the email code/link flow's new __client cookie has the same flags", async () => {
    const { email } = await passwordUser();
    const response = await emailSendRoute(request("/api/auth/email/send", new CookieJar(), { email, intent: "sign_in" }));
    expect(response.status).toBe(200);
    const lines = authCookieLines(response);
    expect(lines.some((line) => line.startsWith(`${CLIENT_COOKIE}=`))).toBe(true);
    for (const line of lines) expectFlags(line);
  });
});
