import { afterEach, describe, expect, it } from "vitest";
import { NextRequest, NextResponse } from "next/server";
import { resetConfigCache } from "@/lib/config";
import { readDeviceCookie, setAuthCookies, setDeviceCookie } from "./cookies";

const previousEnv = { AUTH_URL: process.env.AUTH_URL, AUTH_COOKIE_DOMAIN: process.env.AUTH_COOKIE_DOMAIN };

function useEnv(env: { AUTH_URL?: string; AUTH_COOKIE_DOMAIN?: string }) {
  for (const name of ["AUTH_URL", "AUTH_COOKIE_DOMAIN"] as const) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  resetConfigCache();
}

afterEach(() => useEnv(previousEnv));

const requestTo = (url: string, cookie?: string) => new NextRequest(url, { headers: cookie ? { cookie } : {} });
const lineOf = (response: NextResponse, name: string) => response.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));

describe("device cookie", () => {
  it("is __Host-device on an https instance: Secure, Path=/, no Domain, HttpOnly, with the given Max-Age", () => {
    useEnv({ AUTH_URL: "https://auth.example.com" });
    const request = requestTo("https://auth.example.com/api/auth/sign-in", "__device=planted; __Host-device=dev_1");
    expect(readDeviceCookie(request)).toBe("dev_1");
    const response = NextResponse.json({});
    setDeviceCookie(response, request, "dev_2", 3600);
    const line = lineOf(response, "__Host-device")!;
    expect(line).toMatch(/^__Host-device=dev_2;/);
    expect(line).toMatch(/Max-Age=3600/i);
    expect(line).toMatch(/Secure/i);
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/Path=\/(;|$)/);
    expect(line).not.toMatch(/Domain=/i);
  });

  it("is __device over http, and stays host-only even with AUTH_COOKIE_DOMAIN", () => {
    useEnv({ AUTH_URL: "http://localhost:3000", AUTH_COOKIE_DOMAIN: "localhost" });
    const request = requestTo("http://localhost:3000/api/auth/sign-in", "__device=dev_1");
    expect(readDeviceCookie(request)).toBe("dev_1");
    const response = NextResponse.json({});
    setDeviceCookie(response, request, "dev_2", 60);
    const line = lineOf(response, "__device")!;
    expect(line).toMatch(/^__device=dev_2;/);
    expect(line).not.toMatch(/Domain=/i);
  });
});

describe("setAuthCookies", () => {
  it("gives __client the session-lifetime setting as Max-Age when passed, else AUTH_SESSION_MAX_AGE_DAYS", () => {
    const request = requestTo("http://localhost:3000/api/auth/sign-in");
    const withSetting = NextResponse.json({});
    setAuthCookies(withSetting, request, { sessionToken: "jwt", newClientToken: "client", clientCookieMaxAgeSeconds: 2 * 86_400 });
    expect(lineOf(withSetting, "__client")).toMatch(/Max-Age=172800/i);

    const withDefault = NextResponse.json({});
    setAuthCookies(withDefault, request, { sessionToken: "jwt", newClientToken: "client" });
    expect(lineOf(withDefault, "__client")).toMatch(/Max-Age=604800/i); // 7 days
  });
});
