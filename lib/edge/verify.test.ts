import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SignJWT, UnsecuredJWT, createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, importJWK, type JWK, type JWTVerifyGetKey } from "jose";
import { clearVerifiedTokenCache, verifySessionToken } from "./verify";

const ISSUER = "https://auth.example.com";
const KEY_SET = "https://auth.example.com/.well-known/jwks.json";
let privateKey: CryptoKey;
let otherPrivateKey: CryptoKey;
let publicJwk: JWK;
let keys: ReturnType<typeof createLocalJWKSet>;
const now = Math.floor(Date.now() / 1000);

const baseClaims = { sid: "sess_1", azp: ISSUER, role: "user", v: 1 };

function sign(claims: Record<string, unknown> = {}, options: { key?: CryptoKey; kid?: string; iat?: number; ttl?: number; iss?: string } = {}) {
  const iat = options.iat ?? now;
  return new SignJWT({ ...baseClaims, ...claims })
    .setProtectedHeader({ alg: "ES256", kid: options.kid ?? "key_test" })
    .setIssuer(options.iss ?? ISSUER)
    .setSubject("user_1")
    .setIssuedAt(iat)
    .setNotBefore(iat - 10)
    .setExpirationTime(iat + (options.ttl ?? 60))
    .sign(options.key ?? privateKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "key_test", alg: "ES256" };
  otherPrivateKey = (await generateKeyPair("ES256")).privateKey;
  keys = createLocalJWKSet({ keys: [publicJwk] });
});

beforeEach(() => clearVerifiedTokenCache());

describe("verifySessionToken", () => {
  it("accepts a valid ES256 token and returns its claims", async () => {
    const result = await verifySessionToken(await sign(), { keys, keySetId: KEY_SET, issuer: ISSUER });
    expect(result).toMatchObject({ ok: true, claims: { sub: "user_1", sid: "sess_1", role: "user" } });
  });

  it("refuses alg: none", async () => {
    const token = new UnsecuredJWT({ ...baseClaims }).setIssuer(ISSUER).setSubject("user_1").setIssuedAt(now).setNotBefore(now - 10).setExpirationTime(now + 60).encode();
    expect(await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses HS256 signed with our public key (algorithm confusion)", async () => {
    const pem = await exportSPKI((await importJWK(publicJwk, "ES256")) as CryptoKey);
    const token = await new SignJWT({ ...baseClaims })
      .setProtectedHeader({ alg: "HS256", kid: "key_test" })
      .setIssuer(ISSUER)
      .setSubject("user_1")
      .setIssuedAt(now)
      .setNotBefore(now - 10)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(pem));
    expect(await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses an unknown kid", async () => {
    const token = await sign({}, { kid: "key_unknown" });
    expect((await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(false);
  });

  it("refuses a token signed by another key under our kid", async () => {
    const token = await sign({}, { key: otherPrivateKey });
    expect((await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(false);
  });

  it("refuses the wrong issuer", async () => {
    const token = await sign({}, { iss: "https://evil.example" });
    expect((await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(false);
  });

  it("reports an expired token as expired", async () => {
    const token = await sign({}, { iat: now - 120, ttl: 60 });
    expect(await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses a token whose nbf is in the future", async () => {
    const token = await new SignJWT({ ...baseClaims })
      .setProtectedHeader({ alg: "ES256", kid: "key_test" })
      .setIssuer(ISSUER)
      .setSubject("user_1")
      .setIssuedAt(now)
      .setNotBefore(now + 300)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    expect((await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(false);
  });

  it("refuses a tampered payload", async () => {
    const [header, payload, signature] = (await sign()).split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), role: "admin" })).toString("base64url");
    expect((await verifySessionToken(`${header}.${forged}.${signature}`, { keys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(false);
  });

  it("refuses tokens missing the session claims or with another format version", async () => {
    expect((await verifySessionToken(await sign({ v: 2 }), { keys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(false);
    expect((await verifySessionToken(await sign({ sid: undefined }), { keys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(false);
  });

  it("accepts a token up to expiryToleranceSeconds past its exp when asked (cached or not), never beyond", async () => {
    const token = await sign({}, { iat: now - 90, ttl: 60 }); // expired 30 s ago
    expect(await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).toEqual({ ok: false, reason: "expired" });
    const tolerant = { keys, keySetId: KEY_SET, issuer: ISSUER, expiryToleranceSeconds: 60 };
    expect((await verifySessionToken(token, tolerant)).ok).toBe(true);
    expect((await verifySessionToken(token, tolerant)).ok).toBe(true); // from the cache
    // The cache entry serves no strict caller: without the tolerance it is expired.
    expect(await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).toEqual({ ok: false, reason: "expired" });
    const longExpired = await sign({}, { iat: now - 200, ttl: 60 }); // expired 140 s ago
    expect(await verifySessionToken(longExpired, tolerant)).toEqual({ ok: false, reason: "expired" });
  });

  it("serves a repeat verification from the cache until exp, then refuses it", async () => {
    const token = await sign({}, { ttl: 30 });
    let lookups = 0;
    const countingKeys: JWTVerifyGetKey = (header, input) => {
      lookups += 1;
      return keys(header, input);
    };
    expect((await verifySessionToken(token, { keys: countingKeys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(true);
    expect((await verifySessionToken(token, { keys: countingKeys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(true);
    expect(lookups).toBe(1);
    const later = () => (now + 31) * 1000;
    expect(await verifySessionToken(token, { keys: countingKeys, keySetId: KEY_SET, issuer: ISSUER, now: later })).toEqual({ ok: false, reason: "expired" });
  });

  it("does not serve a token verified by one key set to a caller verifying with another", async () => {
    // Say middleware verified a forged token against a JWKS fetched from a request's own Host (development,
    // no AUTH_URL): the server, verifying with its own keys, must still check the signature itself.
    const forgersPair = await generateKeyPair("ES256", { extractable: true });
    const forgersToken = await sign({}, { key: forgersPair.privateKey, kid: "key_forger" });
    const forgersKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(forgersPair.publicKey)), kid: "key_forger", alg: "ES256" }] });
    expect((await verifySessionToken(forgersToken, { keys: forgersKeys, keySetId: "http://evil.example/.well-known/jwks.json", issuer: ISSUER })).ok).toBe(true);
    expect((await verifySessionToken(forgersToken, { keys, keySetId: "local", issuer: ISSUER })).ok).toBe(false);
  });

  it("does not let a cached token pass for another issuer", async () => {
    const token = await sign();
    expect((await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: ISSUER })).ok).toBe(true);
    expect((await verifySessionToken(token, { keys, keySetId: KEY_SET, issuer: "https://other.example" })).ok).toBe(false);
  });
});
