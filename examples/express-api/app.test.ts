import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, generateKeyPair } from "jose";
import jwt from "jsonwebtoken";
import { getActiveSigningKey, getPublicKeyPem, mintSessionToken, rotateSigningKey } from "@/lib/session";
import { serveLiveJwks } from "../test-support/live-jwks";
import { createApp } from "./app.mjs";

/**
 * The Express example, run as a team would run it: real HTTP into the app,
 * which verifies the portal's tokens with jsonwebtoken + jwks-rsa against the
 * test database's live JWKS served over HTTP.
 */
const ISSUER = "https://auth.example.com";
let jwks: Awaited<ReturnType<typeof serveLiveJwks>>;
let server: Server;
let base: string;

beforeAll(async () => {
  jwks = await serveLiveJwks();
  const app = createApp({ issuer: ISSUER, jwksUri: jwks.url });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await jwks.close();
});

type Subject = { userId?: string; role?: "user" | "admin"; now?: Date; issuer?: string };
let counter = 0;

/** A session token exactly as the portal mints it (lib/session mintSessionToken). */
async function portalToken({ userId, role = "user", now, issuer = ISSUER }: Subject = {}) {
  counter += 1;
  const { token } = await mintSessionToken(
    { userId: userId ?? `user_${counter}`, sessionId: `sess_${counter}`, role, emailVerified: true },
    { issuer, authorizedParty: ISSUER, now },
  );
  return token;
}

const kidOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid as string;

function get(path: string, init: { token?: string; cookie?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.cookie) headers.cookie = init.cookie;
  return fetch(`${base}${path}`, { headers });
}

async function expectRefused(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
  expect(((await response.json()) as { error: string }).error).toBe("invalid_token");
}

describe("examples/express-api", () => {
  it("serves /public to anyone", async () => {
    const response = await get("/public");
    expect(response.status).toBe(200);
  });

  it("accepts a valid token as a Bearer header and as the __session cookie", async () => {
    const token = await portalToken({ userId: "user_bearer" });
    const viaBearer = await get("/me", { token });
    expect(viaBearer.status).toBe(200);
    expect(await viaBearer.json()).toMatchObject({ userId: "user_bearer", role: "user", actorId: null });

    const viaCookie = await get("/me", { cookie: `theme=dark; __session=${token}; other=1` });
    expect(viaCookie.status).toBe(200);
    expect(((await viaCookie.json()) as { userId: string }).userId).toBe("user_bearer");
  });

  it("verifies networklessly: after the first fetch, tokens of a known key cost no JWKS request", async () => {
    await get("/me", { token: await portalToken() }); // warms the cache if no earlier test did
    const before = jwks.fetches();
    for (let index = 0; index < 5; index += 1) expect((await get("/me", { token: await portalToken() })).status).toBe(200);
    expect(jwks.fetches()).toBe(before);
  });

  it("answers 401 with a bare challenge when no token is sent", async () => {
    const response = await get("/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
  });

  it("refuses an expired token", async () => {
    const response = await get("/me", { token: await portalToken({ now: new Date(Date.now() - 10 * 60_000) }) });
    expect(response.headers.get("www-authenticate")).toContain("expired");
    await expectRefused(response);
  });

  it("refuses a token from another issuer", async () => {
    await expectRefused(await get("/me", { token: await portalToken({ issuer: "https://evil.example.com" }) }));
  });

  it("refuses a tampered token (payload changed, signature kept)", async () => {
    const [header, payload, signature] = (await portalToken()).split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: "admin" })).toString("base64url");
    await expectRefused(await get("/admin-only", { token: `${header}.${forged}.${signature}` }));
  });

  it("refuses a token signed by a key that is not the portal's, under a known or an unknown kid", async () => {
    const genuine = await portalToken();
    const claims = JSON.parse(Buffer.from(genuine.split(".")[1]!, "base64url").toString());
    const { privateKey } = await generateKeyPair("ES256");
    for (const kid of [kidOf(genuine), "key_not_in_the_jwks"]) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid }).sign(privateKey);
      await expectRefused(await get("/me", { token: forged }));
    }
  });

  it("refuses HS256 and alg none", async () => {
    const claims = { sub: "user_x", sid: "sess_x", iss: ISSUER, exp: Math.floor(Date.now() / 1000) + 60 };
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: kidOf(await portalToken()) }).sign(new TextEncoder().encode("x".repeat(32)));
    await expectRefused(await get("/me", { token: hs256 }));
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid: kidOf(await portalToken()) })).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.`;
    await expectRefused(await get("/me", { token: none }));
  });

  it("lets admins into /admin-only by the role claim and answers 403 to users", async () => {
    expect((await get("/admin-only", { token: await portalToken({ role: "admin" }) })).status).toBe(200);
    expect((await get("/admin-only", { token: await portalToken({ role: "user" }) })).status).toBe(403);
  });

  it("checks azp when authorizedParties is set", async () => {
    const strict = createApp({ issuer: ISSUER, jwksUri: jwks.url, authorizedParties: ["https://app.example.com"] });
    const strictServer = await new Promise<Server>((resolve) => {
      const listening = strict.listen(0, "127.0.0.1", () => resolve(listening));
    });
    const url = `http://127.0.0.1:${(strictServer.address() as AddressInfo).port}/me`;
    try {
      const mint = (authorizedParty: string) =>
        mintSessionToken({ userId: "user_azp", sessionId: "sess_azp", role: "user", emailVerified: true }, { issuer: ISSUER, authorizedParty });
      const fromApp = (await mint("https://app.example.com")).token;
      const fromElsewhere = (await mint("https://other.example.com")).token;
      expect((await fetch(url, { headers: { authorization: `Bearer ${fromApp}` } })).status).toBe(200);
      await expectRefused(await fetch(url, { headers: { authorization: `Bearer ${fromElsewhere}` } }));
    } finally {
      await new Promise((resolve) => strictServer.close(resolve));
    }
  });

  it("after a key rotation: accepts the new kid after one JWKS refetch, and still-valid tokens of the old key", async () => {
    const oldToken = await portalToken({ userId: "user_old_key" });
    expect((await get("/me", { token: oldToken })).status).toBe(200); // old key cached

    const { kid: newKid } = await rotateSigningKey();
    expect((await getActiveSigningKey()).kid).toBe(newKid); // the new key signs at once
    const newToken = await portalToken({ userId: "user_new_key" });
    expect(kidOf(newToken)).toBe(newKid);
    expect(kidOf(newToken)).not.toBe(kidOf(oldToken));

    const before = jwks.fetches();
    const accepted = await get("/me", { token: newToken });
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { userId: string }).userId).toBe("user_new_key");
    expect(jwks.fetches() - before).toBe(1); // exactly one refetch for the unknown kid

    expect((await get("/me", { token: newToken })).status).toBe(200);
    expect((await get("/me", { token: oldToken })).status).toBe(200); // the old key is still published and cached
    expect(jwks.fetches() - before).toBe(1);
  });

  it("without a JWKS URL: the PEM from /admin/signing-keys verifies with jsonwebtoken alone (docs/integrations.md)", async () => {
    const token = await portalToken({ userId: "user_pem" });
    const pem = (await getPublicKeyPem(kidOf(token)))!;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const claims = jwt.verify(token, pem, { algorithms: ["ES256"], issuer: ISSUER, clockTolerance: 5 }) as jwt.JwtPayload;
    expect(claims.sub).toBe("user_pem");
    expect(() => jwt.verify(token, pem, { algorithms: ["ES256"], issuer: "https://other.example.com" })).toThrow(/issuer/);
  });
});
