import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, DEVICE_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { POST } from "./route";

describe("POST /api/auth/session/refresh", () => {
  it("sets a fresh __session and reports its expiry", async () => {
    const { jar } = await signedUpUser();
    const response = await POST(makeRequest("/api/auth/session/refresh", { body: {}, jar }));
    expect(response.status).toBe(200);
    const { expiresAt } = await response.json();
    jar.absorb(response);
    expect(decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).exp).toBe(expiresAt);
  });

  it("answers 401 and clears cookies once the session is revoked", async () => {
    const { jar } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    await db.session.update({ where: { id: sid }, data: { status: "revoked" } });
    const response = await POST(makeRequest("/api/auth/session/refresh", { body: {}, jar }));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("invalid_token");
    jar.absorb(response);
    // Session and client cookies are gone; the device cookie stays: this browser remains a known device (S10).
    expect([...jar.values.keys()]).toEqual([DEVICE_COOKIE]);
  });

  it("a refresh carrying a client cookie that was replaced meanwhile answers 401 without clearing the newer cookies", async () => {
    const { jar } = await signedUpUser();
    // What a refresh sent just before a sign-in, switch or impersonation re-issued the client token carries.
    const stale = new CookieJar();
    for (const [name, value] of jar.values) stale.values.set(name, value);
    stale.values.set(CLIENT_COOKIE, "a-client-token-that-was-replaced");
    const response = await POST(makeRequest("/api/auth/session/refresh", { body: {}, jar: stale }));
    expect(response.status).toBe(401);
    // No Set-Cookie: the browser keeps whatever the newer response gave it.
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("does not 500 when refresh races sign-out", async () => {
    const { jar } = await signedUpUser();
    const { POST: signOut } = await import("@/app/api/auth/sign-out/route");
    const requests = [
      ...Array.from({ length: 5 }, () => POST(makeRequest("/api/auth/session/refresh", { body: {}, jar }))),
      signOut(makeRequest("/api/auth/sign-out", { body: { scope: "all" }, jar })),
    ];
    const statuses = (await Promise.all(requests)).map((response) => response.status);
    expect(statuses.every((status) => status === 200 || status === 401)).toBe(true);
  });

  it("refuses cross-origin calls", async () => {
    const response = await POST(makeRequest("/api/auth/session/refresh", { body: {}, jar: new CookieJar(), headers: { origin: "https://evil.example" } }));
    expect(response.status).toBe(403);
  });
});
