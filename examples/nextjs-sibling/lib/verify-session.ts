// Verifies the portal's session token in another app, without calling the portal:
// jose fetches the portal's public keys (JWKS) once, caches them, and checks each
// token's ES256 signature locally. No Next.js imports here, so proxy.ts, server
// components and route handlers share it (and it is unit-tested on its own).
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";

/**
 * Cookie names as a sibling subdomain sees them. The portal sets them with
 * `Domain=<AUTH_COOKIE_DOMAIN>` (e.g. `.example.com`) only when that variable is set,
 * and then always under these plain names (`__Host-` names cannot carry a Domain).
 */
export const SESSION_COOKIE = "__session";
/** The browser's sign-in cookie: its presence means the portal's handshake can mint a new token. */
export const CLIENT_COOKIE = "__client";

export type SessionClaims = JWTPayload & {
  iss: string;
  sub: string;
  sid: string;
  role: "user" | "admin";
  azp: string;
  email_verified?: boolean;
  act?: { sub: string };
  v: number;
};

export type PortalSession = {
  userId: string;
  sessionId: string;
  role: "user" | "admin";
  /** The admin impersonating the user, if any. */
  actorId: string | null;
  claims: SessionClaims;
};

/**
 * `missing`: no token; `expired`: send the browser through the portal's handshake for a fresh one;
 * `invalid`: forged, another issuer, unknown key...; `unavailable`: the JWKS could not be fetched.
 */
export type VerifyResult = { ok: true; session: PortalSession } | { ok: false; reason: "missing" | "expired" | "invalid" | "unavailable" };

export type VerifierOptions = {
  /** The portal's public origin, its AUTH_URL (e.g. https://auth.example.com): the tokens' `iss`. */
  portalUrl: string;
  /** Default <portalUrl>/.well-known/jwks.json. */
  jwksUrl?: string;
  /** When set, only tokens whose `azp` (the origin that asked for the token) is listed are accepted. */
  authorizedParties?: string[];
  /** Slack for exp/nbf between this server's clock and the portal's; default 5 s. */
  clockToleranceSeconds?: number;
};

/** Errors that are the token's fault; anything else (a network error, a bad JWKS response) is ours. */
const TOKEN_FAULTS = [
  errors.JWSInvalid,
  errors.JWTInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JWTClaimValidationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
];

export function createSessionVerifier(options: VerifierOptions): (token: string | undefined) => Promise<VerifyResult> {
  // The portal's `iss` is its origin: no path, no trailing slash.
  const issuer = new URL(options.portalUrl).origin;
  // Keys cached for 10 minutes; a token with an unknown `kid` (a key rotated in since)
  // refetches once, at most once per 30 s (jose's cooldown), so made-up kids cannot
  // turn this app into a fetch amplifier.
  const keys = createRemoteJWKSet(new URL(options.jwksUrl ?? `${issuer}/.well-known/jwks.json`), {
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: 30_000,
  });

  return async (token) => {
    if (!token) return { ok: false, reason: "missing" };
    try {
      const { payload } = await jwtVerify<SessionClaims>(token, keys, {
        // ES256 only: `alg: none` and HS256-signed-with-the-public-key forgeries are refused.
        algorithms: ["ES256"],
        issuer,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        requiredClaims: ["sub", "sid", "iat", "exp"],
      });
      if (options.authorizedParties && !options.authorizedParties.includes(payload.azp)) return { ok: false, reason: "invalid" };
      return {
        ok: true,
        session: { userId: payload.sub, sessionId: payload.sid, role: payload.role, actorId: payload.act?.sub ?? null, claims: payload },
      };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) return { ok: false, reason: "invalid" };
      console.error("[portal] could not verify the session token:", error);
      return { ok: false, reason: "unavailable" };
    }
  };
}

/**
 * Where to send a browser that has no valid token, to come back to `returnTo`
 * (an absolute URL of this app; its origin must be in the portal's
 * ALLOWED_REDIRECT_ORIGINS, or the portal sends the browser to its own home page):
 * - with the `__client` cookie, to the portal's handshake, which checks the
 *   session in the portal's database, sets a fresh `__session` and redirects
 *   straight back (the user sees nothing); if that session has ended it goes
 *   on to the sign-in page itself;
 * - without it, to the portal's sign-in page, which returns here after sign-in.
 */
export function portalRedirectUrl(options: { portalUrl: string; returnTo: string; hasClientCookie: boolean }): string {
  const target = new URL(options.hasClientCookie ? "/api/auth/handshake" : "/sign-in", new URL(options.portalUrl).origin);
  target.searchParams.set("redirect_url", options.returnTo);
  return target.toString();
}
