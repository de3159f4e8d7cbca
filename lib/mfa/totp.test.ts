import { describe, expect, it } from "vitest";
import { checkTotp, newTotpSecret, totpCodeAt, totpUri } from "./totp";

/**
 * RFC 6238 Appendix B, SHA-1 rows. The seed is the ASCII "12345678901234567890"
 * (Base32 below). The RFC lists 8-digit codes; TOTP truncates modulo 10^digits,
 * so our 6-digit codes are their last six digits.
 */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC_VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP (RFC 6238, SHA-1, 6 digits, 30 s)", () => {
  it.each(RFC_VECTORS)("matches the RFC test vector at T=%i", async (seconds, eight) => {
    const at = new Date(seconds * 1000);
    expect(await totpCodeAt(RFC_SECRET, at)).toBe(eight.slice(-6));
    expect(await checkTotp(RFC_SECRET, eight.slice(-6), { now: at })).toBe(Math.floor(seconds / 30));
  });

  it("accepts one step of drift either way, not two", async () => {
    const secret = newTotpSecret();
    const now = new Date(1_800_000_000_000);
    const step = Math.floor(now.getTime() / 30_000);
    for (const offset of [-1, 0, 1]) {
      const code = await totpCodeAt(secret, new Date(now.getTime() + offset * 30_000));
      expect(await checkTotp(secret, code, { now }), `offset ${offset}`).toBe(step + offset);
    }
    for (const offset of [-2, 2]) {
      const code = await totpCodeAt(secret, new Date(now.getTime() + offset * 30_000));
      expect(await checkTotp(secret, code, { now }), `offset ${offset}`).toBeNull();
    }
  });

  it("refuses a step at or before the last one accepted (replay)", async () => {
    const secret = newTotpSecret();
    const now = new Date(1_800_000_000_000);
    const code = await totpCodeAt(secret, now);
    const step = await checkTotp(secret, code, { now });
    expect(step).not.toBeNull();
    expect(await checkTotp(secret, code, { now, afterStep: step })).toBeNull();
    const next = await totpCodeAt(secret, new Date(now.getTime() + 30_000));
    expect(await checkTotp(secret, next, { now, afterStep: step })).toBe(step! + 1);
  });

  it("makes 160-bit Base32 secrets and an otpauth URI with issuer and account", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = totpUri({ secret, issuer: "Auth Portal", accountName: "ann@example.com" });
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain("issuer=Auth%20Portal");
    expect(decodeURIComponent(uri)).toContain("ann@example.com");
  });

  it("refuses anything that is not six digits without asking the library", async () => {
    for (const code of ["", "12345", "1234567", "12345a", " 123456"]) expect(await checkTotp(RFC_SECRET, code)).toBeNull();
  });
});
