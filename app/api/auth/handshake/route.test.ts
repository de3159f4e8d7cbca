import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { resetConfigCache } from "@/lib/config";
import { sha256 } from "@/lib/crypto";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, HANDSHAKE_COUNT_COOKIE, MAX_HANDSHAKE_REDIRECTS, SESSION_COOKIE } from "@/lib/edge";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { GET } from "./route";

describe("GET /api/auth/handshake", () => {
  it("re-mints the session token from the DB and returns to the original page", async () => {
    const { jar, userId } = await signedUpUser();
    const oldToken = jar.values.get(SESSION_COOKIE)!;
    jar.values.delete(SESSION_COOKIE); // as when the 60 s token has expired
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a new iat, so a new token

    const response = await GET(makeRequest("/api/auth/handshake?redirect_url=%2Fsettings%3Ftab%3D2", { jar }));
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("http://localhost:3000/settings?tab=2");
    jar.absorb(response);
    const fresh = jar.values.get(SESSION_COOKIE)!;
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(oldToken);
    expect(decodeJwtPayload(fresh).sub).toBe(userId);
  });

  it("sends a revoked session to sign-in and clears its cookies", async () => {
    const { jar } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    await db.session.update({ where: { id: sid }, data: { status: "revoked" } });

    const response = await GET(makeRequest("/api/auth/handshake?redirect_url=%2Fprivate", { jar }));
    expect(response.headers.get("location")).toBe("http://localhost:3000/sign-in?redirect_url=%2Fprivate");
    jar.absorb(response);
    expect(jar.values.has(CLIENT_COOKIE)).toBe(false);
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
  });

  it("a client token replaced by another tab's sign-in on the way: sign-in, but the cookies stay (that tab's new ones may land after this answer)", async () => {
    const { jar } = await signedUpUser();
    const stale = new CookieJar();
    stale.values.set(CLIENT_COOKIE, jar.values.get(CLIENT_COOKIE)!);
    // Another tab of this browser signs in: the client's token is replaced (no fixation, S2).
    await db.client.update({ where: { tokenHash: sha256(jar.values.get(CLIENT_COOKIE)!) }, data: { tokenHash: sha256("replaced-by-another-sign-in") } });

    const response = await GET(makeRequest("/api/auth/handshake?redirect_url=%2Fprivate", { jar: stale }));
    expect(response.headers.get("location")).toBe("http://localhost:3000/sign-in?redirect_url=%2Fprivate");
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("never redirects off-site", async () => {
    const { jar } = await signedUpUser();
    const response = await GET(makeRequest("/api/auth/handshake?redirect_url=%2F%2Fevil.example", { jar }));
    expect(response.headers.get("location")).toBe("http://localhost:3000/");
  });

  it(`stops a redirect loop after ${MAX_HANDSHAKE_REDIRECTS} handshakes in a short window`, async () => {
    const { jar } = await signedUpUser();
    for (let index = 0; index < MAX_HANDSHAKE_REDIRECTS; index += 1) {
      const response = await GET(makeRequest("/api/auth/handshake?redirect_url=%2F", { jar }));
      expect(response.headers.get("location")).toBe("http://localhost:3000/");
      jar.absorb(response);
    }
    expect(jar.values.get(HANDSHAKE_COUNT_COOKIE)).toBe(String(MAX_HANDSHAKE_REDIRECTS));
    const looped = await GET(makeRequest("/api/auth/handshake?redirect_url=%2F", { jar }));
    expect(looped.headers.get("location")).toContain("/sign-in");
  });

  it("breaks a redirect loop without signing the browser out: __client stays, only __session and the counter go", async () => {
    const { jar } = await signedUpUser();
    const client = jar.values.get(CLIENT_COOKIE)!;
    for (let index = 0; index < MAX_HANDSHAKE_REDIRECTS; index += 1) {
      jar.absorb(await GET(makeRequest("/api/auth/handshake?redirect_url=%2F", { jar })));
    }
    const looped = await GET(makeRequest("/api/auth/handshake?redirect_url=%2F", { jar }));
    expect(looped.headers.get("location")).toBe("http://localhost:3000/sign-in?redirect_url=%2F");
    const deleted = looped.headers.getSetCookie().filter((line) => /max-age=0/i.test(line)).map((line) => line.split("=")[0]);
    expect(deleted.sort()).toEqual([HANDSHAKE_COUNT_COOKIE, SESSION_COOKIE].sort());
    jar.absorb(looped);
    expect(jar.values.get(CLIENT_COOKIE)).toBe(client);

    // Once the fault is gone (say the JWKS is back) the same browser handshakes again: never signed out for good.
    const again = await GET(makeRequest("/api/auth/handshake?redirect_url=%2F", { jar }));
    expect(again.headers.get("location")).toBe("http://localhost:3000/");
    jar.absorb(again);
    expect(jar.values.get(SESSION_COOKIE)).toMatch(/^ey/);
  });

  it("redirects to AUTH_URL's origin, never the URL the request reached us on (127.0.0.1 behind a TLS proxy)", async () => {
    const { jar } = await signedUpUser();
    const client = jar.values.get(CLIENT_COOKIE)!;
    const previous = process.env.AUTH_URL;
    process.env.AUTH_URL = "https://auth.example.com";
    resetConfigCache();
    try {
      const behindProxy = (path: string, headers: Record<string, string>) =>
        GET(new NextRequest(new URL(path, "http://127.0.0.1:3999"), { headers: { "user-agent": "vitest", ...headers } }));
      for (const proxyHeaders of [{}, { "x-forwarded-proto": "https" }] as Record<string, string>[]) {
        // AUTH_URL is https: the client cookie goes by its __Host- name.
        const signedIn = await behindProxy("/api/auth/handshake?redirect_url=%2Fsettings", { cookie: `__Host-client=${client}`, ...proxyHeaders });
        expect(signedIn.headers.get("location")).toBe("https://auth.example.com/settings");
        const signedOut = await behindProxy("/api/auth/handshake?redirect_url=%2Fsettings", proxyHeaders);
        expect(signedOut.headers.get("location")).toBe("https://auth.example.com/sign-in?redirect_url=%2Fsettings");
      }
    } finally {
      process.env.AUTH_URL = previous;
      resetConfigCache();
    }
  });

  it("sends a browser without a client cookie to sign-in", async () => {
    const response = await GET(makeRequest("/api/auth/handshake?redirect_url=%2F", { jar: new CookieJar() }));
    expect(response.headers.get("location")).toBe("http://localhost:3000/sign-in?redirect_url=%2F");
  });
});
