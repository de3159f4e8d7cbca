import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import jwt from "jsonwebtoken";
import { jwtVerify } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetConfigCache } from "@/lib/config";
import { db } from "@/lib/db";
import { createOutageTolerantJWKSet } from "@/lib/edge";
import { checkReadiness } from "@/lib/health";
import { signedUpUser } from "@/test/fixtures";
import { ORIGIN, makeRequest } from "@/test/http";
import { GET as discoveryRoute } from "@/app/.well-known/openid-configuration/route";
import { forgetCachedSigningKey, getActiveSigningKey, getPublicJwks, getPublicKeyPem, listSigningKeys, rotateSigningKey } from "./keys";
import { mintSessionToken } from "./tokens";

/**
 * S2 signing keys: PEM export of the public keys, rotation (the new key signs
 * at once, the old one stays published), and a verifier with a cached JWKS
 * (middleware's, lib/edge) picking up the new kid with one refetch.
 */
let server: http.Server;
let jwksUrl: URL;
let fetches = 0;

beforeAll(async () => {
  server = http.createServer(async (_request, response) => {
    fetches += 1;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(await getPublicJwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
});
afterAll(() => server.close());
afterEach(() => vi.useRealTimers());

const kidOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid as string;

async function sessionToken(userId: string, sessionId = "sess_test") {
  return (await mintSessionToken({ userId, sessionId, role: "user", emailVerified: true }, { issuer: ORIGIN, authorizedParty: ORIGIN })).token;
}

describe("signing keys", () => {
  it("exports each published public key as SPKI PEM that verifies session tokens (jsonwebtoken)", async () => {
    const { userId } = await signedUpUser();
    const token = await sessionToken(userId);
    const pem = await getPublicKeyPem(kidOf(token));
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(jwt.verify(token, pem!, { algorithms: ["ES256"], issuer: ORIGIN })).toMatchObject({ sub: userId });
    // Never the private half.
    expect(crypto.createPublicKey(pem!).asymmetricKeyType).toBe("ec");
    expect((await listSigningKeys()).find((key) => key.kid === kidOf(token))?.publicKeyPem).toBe(pem);
    expect(await getPublicKeyPem("key_nope")).toBeNull();
  });

  it("rotation: the new key signs at once, the old stays in the JWKS, and a cached JWKS picks up the new kid with one refetch", async () => {
    const { userId } = await signedUpUser();
    const oldToken = await sessionToken(userId);
    const oldKid = kidOf(oldToken);
    // Middleware's key set, with middleware's settings.
    const keys = createOutageTolerantJWKSet(jwksUrl, { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    await jwtVerify(oldToken, keys, { issuer: ORIGIN });
    const afterFirst = fetches;

    const { kid: newKid } = await rotateSigningKey();
    expect((await getActiveSigningKey()).kid).toBe(newKid);
    const newToken = await sessionToken(userId);
    expect(kidOf(newToken)).toBe(newKid);
    expect((await getPublicJwks()).keys.map((key) => key.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect((await listSigningKeys()).map((key) => [key.kid, key.active])).toEqual(expect.arrayContaining([[oldKid, false], [newKid, true]]));

    // Past jose's refetch cooldown (30 s since the last fetch), the unknown kid triggers exactly one refetch.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 31_000 });
    await expect(jwtVerify(newToken, keys, { issuer: ORIGIN })).resolves.toBeDefined();
    expect(fetches - afterFirst).toBe(1);
    // Both keys now verify from the cache: no further fetches.
    await jwtVerify(newToken, keys, { issuer: ORIGIN });
    await jwtVerify(oldToken, keys, { issuer: ORIGIN, currentDate: new Date(Date.now() - 31_000) });
    expect(fetches - afterFirst).toBe(1);
  });

  it("serves OpenID discovery whose issuer is exactly the iss of our tokens, with the JWKS URL", async () => {
    const { userId } = await signedUpUser();
    const response = await discoveryRoute(makeRequest("/.well-known/openid-configuration"));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toMatch(/^public, max-age=\d+/);
    const document = (await response.json()) as Record<string, unknown>;
    expect(document).toMatchObject({
      issuer: ORIGIN,
      jwks_uri: `${ORIGIN}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ["ES256"],
      subject_types_supported: ["public"],
      response_types_supported: expect.any(Array),
      claims_supported: expect.arrayContaining(["sub", "iss", "sid"]),
    });
    const token = await sessionToken(userId);
    expect(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).iss).toBe(document.issuer);
  });

  it("after AUTH_SECRET changes: the error and the readiness check say why and what to do, and `npm run admin -- rotate-signing-key` makes signing work again", { timeout: 60_000 }, async () => {
    const originalSecret = process.env.AUTH_SECRET!;
    const newSecret = "another-secret-another-secret-another-secret-42";
    const useSecret = (secret: string) => {
      process.env.AUTH_SECRET = secret;
      resetConfigCache();
      forgetCachedSigningKey();
    };
    const { kid: oldKid } = await getActiveSigningKey();
    try {
      useSecret(newSecret);
      await expect(getActiveSigningKey()).rejects.toThrow(`The active signing key ${oldKid} cannot be decrypted with this AUTH_SECRET`);
      const readiness = await checkReadiness();
      expect(readiness.status).toBe("error");
      expect(readiness.checks.signingKey?.detail).toContain("npm run admin -- rotate-signing-key");

      // The real CLI, in its own process, with the new secret (as the operator's shell would have it).
      const cli = spawnSync(process.execPath, [path.resolve(__dirname, "../../scripts/admin.mjs"), "rotate-signing-key"], {
        env: { ...process.env, NODE_ENV: "production", AUTH_URL: "http://localhost:3000", AUTH_SECRET: newSecret },
        encoding: "utf8",
        timeout: 50_000,
      });
      expect(cli.stderr).toBe("");
      expect(cli.status).toBe(0);
      const newKid = /New signing key (\S+) is active/.exec(cli.stdout)?.[1];
      expect(newKid).toBeDefined();

      forgetCachedSigningKey(); // a running server's signer cache lets go within a minute; the test does not wait
      expect((await getActiveSigningKey()).kid).toBe(newKid);
      expect((await checkReadiness()).checks.signingKey).toEqual({ status: "ok" });
      // Tokens the old key signed keep verifying from its public half.
      expect((await getPublicJwks()).keys.map((key) => key.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
      const event = await db.auditEvent.findFirstOrThrow({ where: { type: "signing_key.rotated" }, orderBy: { createdAt: "desc" } });
      expect(event).toMatchObject({ actorId: null, userAgent: "cli", data: { kid: newKid, retired: [oldKid] } });
    } finally {
      useSecret(originalSecret);
      await rotateSigningKey(); // leave a key this file's secret can read
    }
  });
});
