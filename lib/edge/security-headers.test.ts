import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, createNonce, securityHeaders } from "./security-headers";

describe("CSP nonce and policy (S10)", () => {
  it("gives every call its own 128-bit nonce, across refills of the random pool", () => {
    const nonces = Array.from({ length: 2_000 }, () => createNonce()); // the pool holds 256
    expect(new Set(nonces).size).toBe(nonces.length);
    for (const nonce of nonces.slice(250, 260)) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
    // Not all-zero or repeating blocks: the bytes come from getRandomValues, used once each.
    const bytes = Buffer.concat(nonces.map((nonce) => Buffer.from(nonce, "base64")));
    expect(new Set(bytes).size).toBeGreaterThan(200);
  });

  it("puts the request's nonce in script-src and style-src of an otherwise fixed policy", () => {
    const a = contentSecurityPolicy({ nonce: "AAAA", environment: "production" });
    const b = contentSecurityPolicy({ nonce: "BBBB", environment: "production" });
    expect(a).toContain("script-src 'self' 'nonce-AAAA' 'strict-dynamic'");
    expect(a).toContain("style-src 'self' 'nonce-AAAA'");
    expect(a.replaceAll("AAAA", "BBBB")).toBe(b);
    expect(a).not.toContain("\u0000");
    const turnstile = contentSecurityPolicy({ nonce: "AAAA", environment: "production", turnstile: true });
    expect(turnstile).toContain("frame-src 'self' https://challenges.cloudflare.com");
    expect(a).toContain("frame-src 'self';");
    const development = contentSecurityPolicy({ nonce: "AAAA", environment: "development" });
    expect(development).toContain("'unsafe-eval'");
    expect(development).toContain("style-src 'self' 'unsafe-inline'");
    expect(securityHeaders({ nonce: "CCCC", environment: "production" })["Content-Security-Policy"]).toBe(a.replaceAll("AAAA", "CCCC"));
  });
});
