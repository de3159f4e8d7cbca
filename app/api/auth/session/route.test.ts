import { describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "@/lib/edge";
import { CookieJar, makeRequest } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { GET } from "./route";

describe("GET /api/auth/session", () => {
  it("returns the signed-in user from the cookie or a Bearer token", async () => {
    const { jar, email, userId } = await signedUpUser();
    const viaCookie = await GET(makeRequest("/api/auth/session", { jar }));
    expect(viaCookie.status).toBe(200);
    expect((await viaCookie.json()).user).toMatchObject({ id: userId, email });

    const viaBearer = await GET(makeRequest("/api/auth/session", { headers: { authorization: `Bearer ${jar.values.get(SESSION_COOKIE)}` } }));
    expect(viaBearer.status).toBe(200);
  });

  it("answers 401 with WWW-Authenticate when signed out or given garbage", async () => {
    for (const request of [
      makeRequest("/api/auth/session", { jar: new CookieJar() }),
      makeRequest("/api/auth/session", { headers: { authorization: "Bearer not.a.jwt" } }),
    ]) {
      const response = await GET(request);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });
});
