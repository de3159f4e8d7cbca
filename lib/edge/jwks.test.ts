import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type JWK } from "jose";
import { createOutageTolerantJWKSet, UNKNOWN_KID_RELOAD_INTERVAL_MS } from "./jwks";

/** A JWKS server whose answer each test picks: the key set, a 503, bad JSON, or a dropped connection. */
type Mode = "ok" | "503" | "bad-json" | "drop";
let mode: Mode = "ok";
let fetches = 0;
let server: http.Server;
let url: URL;
let privateKey: CryptoKey;
let publicJwk: JWK;
/** A key "rotated in" after the first fetch: published only when `rotated` is set. */
let rotatedKey: CryptoKey;
let rotatedJwk: JWK;
let rotated = false;

beforeAll(async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "key_a", alg: "ES256", use: "sig" };
  const next = await generateKeyPair("ES256", { extractable: true });
  rotatedKey = next.privateKey;
  rotatedJwk = { ...(await exportJWK(next.publicKey)), kid: "key_b", alg: "ES256", use: "sig" };
  server = http.createServer((request, response) => {
    fetches += 1;
    if (mode === "drop") return request.socket.destroy();
    if (mode === "503") return response.writeHead(503).end();
    response.setHeader("content-type", "application/json");
    response.end(mode === "bad-json" ? "{not json" : JSON.stringify({ keys: rotated ? [rotatedJwk, publicJwk] : [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`);
});
afterAll(() => server.close());
afterEach(() => {
  vi.useRealTimers();
  mode = "ok";
  rotated = false;
});

const CACHE_MAX_AGE = 10 * 60_000;
const COOLDOWN = 30_000;

function token(kid = "key_a") {
  return new SignJWT({ sid: "sess_1" }).setProtectedHeader({ alg: "ES256", kid }).setIssuedAt().setExpirationTime("1h").sign(privateKey);
}

describe("createOutageTolerantJWKSet", () => {
  for (const outage of ["503", "bad-json", "drop"] as const) {
    it(`keeps verifying with the last fetched key set when a refetch after the cache age gets ${outage}`, async () => {
      const keys = createOutageTolerantJWKSet(url, { cooldownDuration: COOLDOWN, cacheMaxAge: CACHE_MAX_AGE });
      await jwtVerify(await token(), keys); // first fetch succeeds
      mode = outage;
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + CACHE_MAX_AGE + 1_000 });
      const before = fetches;
      await expect(jwtVerify(await token(), keys)).resolves.toBeDefined();
      expect(fetches - before).toBe(1); // it did try to refetch
      // While the URL is down it is retried once per cooldown, not on every verify.
      await jwtVerify(await token(), keys);
      await jwtVerify(await token(), keys);
      expect(fetches - before).toBe(1);
      vi.setSystemTime(Date.now() + COOLDOWN + 1_000);
      await jwtVerify(await token(), keys);
      expect(fetches - before).toBe(2);
    });
  }

  it("uses the fresh set again once the URL is back", async () => {
    const keys = createOutageTolerantJWKSet(url, { cooldownDuration: COOLDOWN, cacheMaxAge: CACHE_MAX_AGE });
    await jwtVerify(await token(), keys);
    mode = "503";
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + CACHE_MAX_AGE + 1_000 });
    await jwtVerify(await token(), keys);
    mode = "ok";
    vi.setSystemTime(Date.now() + COOLDOWN + 1_000);
    const before = fetches;
    await jwtVerify(await token(), keys);
    await jwtVerify(await token(), keys);
    expect(fetches - before).toBe(1); // refetched once, then served from jose's cache
  });

  it("still refuses an unknown kid during an outage", async () => {
    const keys = createOutageTolerantJWKSet(url, { cooldownDuration: COOLDOWN, cacheMaxAge: CACHE_MAX_AGE });
    await jwtVerify(await token(), keys);
    mode = "503";
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + CACHE_MAX_AGE + 1_000 });
    await expect(jwtVerify(await token("key_unknown"), keys)).rejects.toThrow(/no applicable key/i);
  });

  it("picks up a key rotated in during jose's cooldown with one refetch, and rate-limits unknown kids", async () => {
    const keys = createOutageTolerantJWKSet(url, { cooldownDuration: COOLDOWN, cacheMaxAge: CACHE_MAX_AGE });
    await jwtVerify(await token(), keys); // fetched just now: jose is cooling down for 30 s
    rotated = true;
    const before = fetches;
    const fresh = await new SignJWT({ sid: "sess_2" }).setProtectedHeader({ alg: "ES256", kid: "key_b" }).setIssuedAt().setExpirationTime("1h").sign(rotatedKey);
    await expect(jwtVerify(fresh, keys)).resolves.toBeDefined();
    expect(fetches - before).toBe(1);
    // Made-up kids within the interval cause no further fetches.
    await expect(jwtVerify(await token("key_made_up"), keys)).rejects.toThrow(/no applicable key/i);
    await expect(jwtVerify(await token("key_made_up_2"), keys)).rejects.toThrow(/no applicable key/i);
    expect(fetches - before).toBe(1);
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + UNKNOWN_KID_RELOAD_INTERVAL_MS + 10 });
    await expect(jwtVerify(await token("key_made_up_3"), keys)).rejects.toThrow(/no applicable key/i);
    expect(fetches - before).toBe(2);
  });

  it("refuses everything when the key set was never fetched", async () => {
    mode = "503";
    const keys = createOutageTolerantJWKSet(url, { cooldownDuration: COOLDOWN, cacheMaxAge: CACHE_MAX_AGE });
    await expect(jwtVerify(await token(), keys)).rejects.toThrow();
  });
});
