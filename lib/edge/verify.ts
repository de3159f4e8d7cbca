import { errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { SESSION_TOKEN_VERSION, type SessionClaims } from "./claims";

export type VerifyResult =
  | { ok: true; claims: SessionClaims }
  | { ok: false; reason: "expired" | "invalid" };

/**
 * Verified-token cache: a token that verified once is trusted until its `exp`,
 * so repeat requests skip the signature check (about 450 us per ES256 verify
 * here). Keyed by the key set that verified it and the full token string, so
 * a token one key set accepted (say a JWKS fetched from a request's Host in
 * development) is never served to a caller verifying with another set.
 * Bounded, oldest evicted first.
 */
const MAX_CACHED_TOKENS = 10_000;
const verifiedTokens = new Map<string, SessionClaims>();

const cacheKey = (keySetId: string, token: string) => `${keySetId} ${token}`; // a space never occurs in a JWT

function remember(key: string, claims: SessionClaims): void {
  if (verifiedTokens.size >= MAX_CACHED_TOKENS) {
    const oldest = verifiedTokens.keys().next().value;
    if (oldest !== undefined) verifiedTokens.delete(oldest);
  }
  verifiedTokens.set(key, claims);
}

export function clearVerifiedTokenCache(): void {
  verifiedTokens.clear();
}

/**
 * Verifies a session JWT: ES256 only (so `alg: none` and HS256-with-our-
 * public-key confusion are refused), issuer pinned, exp/nbf enforced, and the
 * claims the app relies on present.
 */
export async function verifySessionToken(
  token: string,
  options: {
    keys: JWTVerifyGetKey;
    /** Names `keys` for the cache (e.g. the JWKS URL, or "local" for the server's own keys). */
    keySetId: string;
    issuer: string;
    now?: () => number;
    /** Seconds past `exp` still accepted (default 0: the middleware). Pages and handlers, checking a token the middleware just let through, pass one: see lib/session/server.ts. */
    expiryToleranceSeconds?: number;
  },
): Promise<VerifyResult> {
  const nowSeconds = Math.floor((options.now?.() ?? Date.now()) / 1000);
  const tolerance = options.expiryToleranceSeconds ?? 0;
  const key = cacheKey(options.keySetId, token);
  const cached = verifiedTokens.get(key);
  if (cached) {
    if (cached.exp + tolerance > nowSeconds && cached.iss === options.issuer) return { ok: true, claims: cached };
    verifiedTokens.delete(key);
  }
  try {
    const { payload } = await jwtVerify(token, options.keys, {
      algorithms: ["ES256"],
      issuer: options.issuer,
      currentDate: new Date(nowSeconds * 1000),
      clockTolerance: tolerance,
      requiredClaims: ["sub", "sid", "exp", "iat", "nbf"],
    });
    if (payload.v !== SESSION_TOKEN_VERSION || typeof payload.sid !== "string") return { ok: false, reason: "invalid" };
    const claims = payload as SessionClaims;
    remember(key, claims);
    return { ok: true, claims };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    return { ok: false, reason: "invalid" };
  }
}
