import { describe, expect, it } from "vitest";
import { instanceOrigin, isAdminRoute, isApiRoute, isPublicRoute, resolveIssuer } from "./routes";

describe("route rules", () => {
  it("lists sign-in, sign-up, handshake, JWKS and health as public; everything else is protected", () => {
    for (const path of ["/sign-in", "/sign-up", "/api/auth/handshake", "/.well-known/jwks.json", "/api/health", "/api/auth/mfa/security-key/options"]) {
      expect(isPublicRoute(path)).toBe(true);
    }
    for (const path of ["/", "/account", "/admin", "/api/auth/session", "/sign-in-evil", "/api/v1evil", "/api/v10/users"]) {
      expect(isPublicRoute(path)).toBe(false);
    }
  });

  it("lets the backend API through to its handlers, which check the secret key themselves (S9)", () => {
    for (const path of ["/api/v1", "/api/v1/users", "/api/v1/users/user_1/ban", "/api/v1/openapi.json"]) expect(isPublicRoute(path)).toBe(true);
  });

  it("serves profile pictures publicly (other apps' <img>), and nothing else under /avatars", () => {
    expect(isPublicRoute("/avatars/user_2abcDEF")).toBe(true);
    for (const path of ["/avatars", "/avatars/", "/avatars/user_1/extra", "/api/account/avatar"]) expect(isPublicRoute(path)).toBe(false);
  });

  it("recognises API and admin routes", () => {
    expect(isApiRoute("/api/auth/session")).toBe(true);
    expect(isApiRoute("/apis")).toBe(false);
    expect(isAdminRoute("/admin/users")).toBe(true);
    expect(isAdminRoute("/administrator")).toBe(false);
  });

  it("takes the issuer from AUTH_URL when set", () => {
    expect(resolveIssuer("http://localhost:3000", undefined)).toBe("http://localhost:3000");
    expect(resolveIssuer("http://10.0.0.1:3000", "https://auth.example.com/")).toBe("https://auth.example.com");
  });

  it("takes the instance origin from AUTH_URL when set, else from the request URL", () => {
    expect(instanceOrigin("http://127.0.0.1:3999/api/auth/handshake?x=1", "https://auth.example.com/base")).toBe("https://auth.example.com");
    expect(instanceOrigin(new URL("https://localhost:3999/dashboard"), "https://auth.example.com")).toBe("https://auth.example.com");
    expect(instanceOrigin("http://localhost:3000/dashboard?x=1", undefined)).toBe("http://localhost:3000");
  });

  it("follows AUTH_URL when it changes (the parsed origin is kept per value)", () => {
    expect(instanceOrigin("http://localhost:3000/", "https://a.example.com")).toBe("https://a.example.com");
    expect(instanceOrigin("http://localhost:3000/", "https://b.example.com:8443/x")).toBe("https://b.example.com:8443");
    expect(instanceOrigin("http://localhost:3000/", "")).toBe("http://localhost:3000");
    expect(instanceOrigin("http://localhost:3000/", "https://a.example.com")).toBe("https://a.example.com");
    expect(() => instanceOrigin("http://localhost:3000/", "not a url")).toThrow();
  });

  it("matches exact public paths only, and the patterns as before", () => {
    for (const path of ["/bench/public", "/sign-in/factor-two", "/api/auth/oauth/github/callback", "/dev/inbox/out_1/html", "/.well-known/openid-configuration"]) {
      expect(isPublicRoute(path), path).toBe(true);
    }
    for (const path of ["/bench/public/", "/bench/protected", "/api/auth/oauth/github/other", "/SIGN-IN", "/sign-in?x"]) expect(isPublicRoute(path), path).toBe(false);
  });
});
