import { describe, expect, it } from "vitest";
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

  it("sends a browser without a client cookie to sign-in", async () => {
    const response = await GET(makeRequest("/api/auth/handshake?redirect_url=%2F", { jar: new CookieJar() }));
    expect(response.headers.get("location")).toBe("http://localhost:3000/sign-in?redirect_url=%2F");
  });
});
