import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { SignJWT, UnsecuredJWT, exportSPKI, importJWK, type JWK } from "jose";
import { GET as handshakeRoute } from "@/app/api/auth/handshake/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { CLIENT_COOKIE, SESSION_COOKIE, clearVerifiedTokenCache } from "@/lib/edge";
import { getActiveSigningKey, getPublicJwks, mintSessionToken, revokeSession } from "@/lib/session";
import { ORIGIN, decodeJwtPayload, makeRequest } from "@/test/http";
import { middleware } from "@/middleware";
import { signedInUser } from "./helpers";
import { serveJwksForMiddleware } from "@/test/jwks-server";

/**
 * S10 token verification, end to end: each forged or stale token is presented
 * to the real middleware, which fetches the instance's real JWKS over HTTP.
 * "Refused" = an API call gets 401 and a page visit is sent to sign-in.
 */
const jwks = serveJwksForMiddleware();

const callApi = (token: string) =>
  middleware(new NextRequest(new URL("/api/auth/session", ORIGIN), { headers: { authorization: `Bearer ${token}` } }));
const visitPage = (token: string) => middleware(new NextRequest(new URL("/", ORIGIN), { headers: { cookie: `${SESSION_COOKIE}=${token}` } }));

async function expectRefused(token: string) {
  clearVerifiedTokenCache();
  const api = await callApi(token);
  expect(api.status).toBe(401);
  expect(api.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  const page = await visitPage(token);
  expect(page.status).toBe(307);
  expect(page.headers.get("location")).toContain("/sign-in");
}

/** A real user's valid token and its claims: the forgeries below start from it. */
async function genuine() {
  const { jar, userId } = await signedInUser();
  const token = jar.values.get(SESSION_COOKIE)!;
  return { jar, userId, token, claims: decodeJwtPayload(token) };
}

const now = () => Math.floor(Date.now() / 1000);

describe("JWT attacks against middleware (S10)", () => {
  it("control: the genuine token passes", async () => {
    const { token } = await genuine();
    expect((await callApi(token)).headers.get("x-middleware-next")).toBe("1");
  });

  it("alg: none -> refused", async () => {
    const { claims } = await genuine();
    await expectRefused(new UnsecuredJWT(claims).encode());
  });

  it("HS256 signed with our public key (algorithm confusion) -> refused", async () => {
    const { claims, token } = await genuine();
    const kid = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid as string;
    const jwk = (await getPublicJwks()).keys.find((key) => key.kid === kid) as JWK;
    const pem = await exportSPKI((await importJWK(jwk, "ES256")) as CryptoKey);
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid }).sign(new TextEncoder().encode(secret));
      await expectRefused(forged);
    }
  });

  it("unknown kid -> refused, without a JWKS refetch per request", async () => {
    const { claims } = await genuine();
    const { privateKey } = await getActiveSigningKey();
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "key_unknown" }).sign(privateKey);
    const before = jwks.fetches();
    for (let i = 0; i < 20; i++) await expectRefused(forged);
    // jose refetches at most once per cooldown for an unknown kid: no amplification.
    expect(jwks.fetches() - before).toBeLessThanOrEqual(1);
  });

  it("wrong iss -> refused", async () => {
    const { userId, claims } = await genuine();
    const forged = await mintSessionToken(
      { userId, sessionId: claims.sid as string, role: "user", emailVerified: true },
      { issuer: "https://evil.example", authorizedParty: ORIGIN },
    );
    await expectRefused(forged.token);
  });

  it("expired -> refused", async () => {
    const { userId, claims } = await genuine();
    const expired = await mintSessionToken(
      { userId, sessionId: claims.sid as string, role: "user", emailVerified: true },
      { issuer: ORIGIN, authorizedParty: ORIGIN, now: new Date(Date.now() - 61_000) },
    );
    await expectRefused(expired.token);
  });

  it("nbf in the future -> refused", async () => {
    const { claims } = await genuine();
    const { privateKey, kid } = await getActiveSigningKey();
    const future = await new SignJWT({ ...claims, nbf: now() + 120, iat: now() + 130, exp: now() + 190 })
      .setProtectedHeader({ alg: "ES256", kid })
      .sign(privateKey);
    await expectRefused(future);
  });

  it("tampered payload (role=admin, other sub) -> refused", async () => {
    const { token, claims } = await genuine();
    const [header, , signature] = token.split(".");
    for (const change of [{ role: "admin" }, { sub: "user_someoneelse" }, { exp: now() + 86_400 }]) {
      const payload = Buffer.from(JSON.stringify({ ...claims, ...change })).toString("base64url");
      await expectRefused(`${header}.${payload}.${signature}`);
    }
  });

  it("token of a revoked session, after one lifetime -> refused everywhere", async () => {
    const { jar, userId, claims } = await genuine();
    await revokeSession(claims.sid as string, { actorId: null });
    // One token lifetime later the last token it got has expired...
    const stale = await mintSessionToken(
      { userId, sessionId: claims.sid as string, role: "user", emailVerified: true },
      { issuer: ORIGIN, authorizedParty: ORIGIN, now: new Date(Date.now() - 61_000) },
    );
    await expectRefused(stale.token);
    // ...and neither the handshake nor the refresh will mint a new one for it.
    const client = jar.values.get(CLIENT_COOKIE)!;
    const handshake = await handshakeRoute(makeRequest("/api/auth/handshake?redirect_url=%2F", { headers: { cookie: `${CLIENT_COOKIE}=${client}` } }));
    expect(handshake.headers.get("location")).toContain("/sign-in");
    expect(handshake.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=ey`))).toBe(false);
    const refresh = await refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, headers: { cookie: `${CLIENT_COOKIE}=${client}` } }));
    expect(refresh.status).toBe(401);
  });
});
