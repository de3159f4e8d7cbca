import { describe, expect, it } from "vitest";
import { authCookieNames, authCookieNamesFor } from "./cookies";

describe("auth cookie names (S2)", () => {
  it("are __Host- names over https without a cookie domain", () => {
    expect(authCookieNames({ secure: true })).toEqual({
      client: "__Host-client",
      session: "__Host-session",
      handshakeCount: "__Host-handshake_count",
      device: "__Host-device",
      oauthFlow: "__Host-oauth",
      lastProvider: "__Host-last_provider",
    });
  });

  it("are the plain names over http, or with a cookie domain (__Host- cannot carry a Domain)", () => {
    const plain = { client: "__client", session: "__session", handshakeCount: "__handshake_count", device: "__device", oauthFlow: "__oauth", lastProvider: "__last_provider" };
    expect(authCookieNames({ secure: false })).toEqual(plain);
    expect(authCookieNames({ secure: true, cookieDomain: "example.com" })).toEqual(plain);
  });

  it("follow AUTH_URL's scheme when set, else the request's", () => {
    expect(authCookieNamesFor("http://127.0.0.1:3999/", { AUTH_URL: "https://auth.example.com" }).session).toBe("__Host-session");
    expect(authCookieNamesFor("https://localhost:3999/", { AUTH_URL: "http://localhost:3000" }).session).toBe("__session");
    expect(authCookieNamesFor("https://auth.example.com/", {}).session).toBe("__Host-session");
    expect(authCookieNamesFor("https://auth.example.com/", { AUTH_COOKIE_DOMAIN: "example.com" }).session).toBe("__session");
  });
});
