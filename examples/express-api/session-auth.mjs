// Verifies the portal's session tokens without calling the portal: the public
// keys come from its JWKS once and are cached, so a request costs one ES256
// signature check and no network round trip.
import jwt from "jsonwebtoken";
import jwksClient from "jwks-rsa";

/** The portal's session cookie as a sibling app sees it (AUTH_COOKIE_DOMAIN set on the portal). */
export const SESSION_COOKIE = "__session";

/**
 * Why a token was refused: `missing` (none sent), `expired` (send the user
 * through the portal's handshake for a fresh one), `invalid` (forged, wrong
 * issuer, unknown key...), `unavailable` (the JWKS could not be fetched and no
 * key for this `kid` is cached: our fault, not the caller's).
 */
export class SessionTokenError extends Error {
  /** @param {"missing" | "expired" | "invalid" | "unavailable"} reason @param {string} message */
  constructor(reason, message) {
    super(message);
    this.name = "SessionTokenError";
    this.reason = reason;
  }
}

/**
 * @typedef {object} SessionClaims
 * @property {string} iss  the portal's origin
 * @property {string} sub  user id
 * @property {string} sid  session id
 * @property {"user" | "admin"} role
 * @property {string} azp  origin of the page that asked for the token
 * @property {number} iat
 * @property {number} nbf  iat - 10 s (clock skew)
 * @property {number} exp  iat + 60 s by default
 * @property {boolean} [email_verified]
 * @property {{ sub: string }} [act]  the admin behind an impersonation
 * @property {number} v  token format version
 */

/**
 * @param {object} options
 * @param {string} options.issuer  the portal's origin (its AUTH_URL), e.g. https://auth.example.com
 * @param {string} [options.jwksUri]  default <issuer>/.well-known/jwks.json
 * @param {string[]} [options.authorizedParties]  when set, `azp` must be one of these origins
 * @param {number} [options.clockToleranceSeconds]  slack for exp/nbf between this server's clock and the portal's
 * @returns {(token: string | undefined) => Promise<SessionClaims>}
 */
export function createSessionVerifier({ issuer, jwksUri, authorizedParties, clockToleranceSeconds = 5 }) {
  // The portal's `iss` is its origin: no path, no trailing slash.
  const expectedIssuer = new URL(issuer).origin;
  const keys = jwksClient({
    jwksUri: jwksUri ?? `${expectedIssuer}/.well-known/jwks.json`,
    // One fetch per key id, then cached for 10 minutes: no network call per request.
    cache: true,
    cacheMaxAge: 10 * 60_000,
    // While the portal is unreachable, keep using keys fetched within the last hour.
    cacheMaxAgeFallback: 60 * 60_000,
    // An unknown `kid` (a key rotated in a moment ago) fetches the JWKS again, but at most
    // 10 times a minute, so tokens with made-up key ids cannot turn us into a fetch amplifier.
    rateLimit: true,
    jwksRequestsPerMinute: 10,
    timeout: 5_000,
  });

  return async function verifySessionToken(token) {
    if (!token) throw new SessionTokenError("missing", "No session token was sent.");
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.header.kid !== "string" || decoded.header.alg !== "ES256") {
      throw new SessionTokenError("invalid", "The token is malformed.");
    }

    let publicKey;
    try {
      publicKey = (await keys.getSigningKey(decoded.header.kid)).getPublicKey();
    } catch (error) {
      // An unknown kid, even after the one refetch (or with refetches rate limited): not our key.
      if (error instanceof jwksClient.SigningKeyNotFoundError || error instanceof jwksClient.JwksRateLimitError) {
        throw new SessionTokenError("invalid", "The token was signed by an unknown key.");
      }
      throw new SessionTokenError("unavailable", `The portal's public keys could not be fetched: ${error.message}`);
    }

    let claims;
    try {
      // ES256 only: `alg: none` and HS256-signed-with-the-public-key forgeries are refused.
      claims = jwt.verify(token, publicKey, { algorithms: ["ES256"], issuer: expectedIssuer, clockTolerance: clockToleranceSeconds });
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new SessionTokenError("expired", "The token has expired.");
      throw new SessionTokenError("invalid", error.message);
    }
    if (typeof claims !== "object" || typeof claims.sub !== "string" || typeof claims.sid !== "string") {
      throw new SessionTokenError("invalid", "The token is not a session token.");
    }
    if (authorizedParties && !authorizedParties.includes(claims.azp)) {
      throw new SessionTokenError("invalid", "The token was issued to another origin.");
    }
    return /** @type {SessionClaims} */ (claims);
  };
}

/**
 * The token of a request: `Authorization: Bearer <jwt>` (servers, mobile apps,
 * tests) or the `__session` cookie (browsers on a sibling subdomain).
 * @param {import("express").Request} request
 * @param {string} [cookieName]
 */
export function sessionTokenOf(request, cookieName = SESSION_COOKIE) {
  const bearer = request.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return bearer;
  // No cookie-parser needed for one cookie; a JWT is base64url, so its value needs no decoding.
  for (const pair of (request.get("cookie") ?? "").split(";")) {
    const separator = pair.indexOf("=");
    if (separator > 0 && pair.slice(0, separator).trim() === cookieName) return pair.slice(separator + 1).trim();
  }
  return undefined;
}

/**
 * Express middleware: verified claims in `res.locals.session`, or 401 with a
 * `WWW-Authenticate` challenge (RFC 6750) that tells the caller why.
 * @param {(token: string | undefined) => Promise<SessionClaims>} verify
 * @param {{ cookieName?: string }} [options]
 * @returns {import("express").RequestHandler}
 */
export function requireSession(verify, options = {}) {
  return async (request, response, next) => {
    try {
      response.locals.session = await verify(sessionTokenOf(request, options.cookieName));
      next();
    } catch (error) {
      if (!(error instanceof SessionTokenError)) return next(error);
      if (error.reason === "unavailable") {
        console.error(error.message);
        return response.status(503).json({ error: "temporarily_unavailable", error_description: "Try again shortly." });
      }
      // No token: a bare challenge; a bad one: error="invalid_token" (RFC 6750), as the portal's own middleware answers.
      const challenge =
        error.reason === "missing" ? 'Bearer realm="api"' : `Bearer error="invalid_token", error_description="${error.message.replace(/"/g, "'")}"`;
      response
        .status(401)
        .set("WWW-Authenticate", challenge)
        .json({ error: error.reason === "missing" ? "unauthenticated" : "invalid_token", error_description: error.message });
    }
  };
}
