import { instanceOrigin } from "./routes";

/**
 * Plain cookie names (S2), used over http and with AUTH_COOKIE_DOMAIN.
 * `__client` is the browser's opaque token; `__session` the 60 s JWT;
 * `__device` marks a browser that signed in before (lockout budget, S10).
 */
export const CLIENT_COOKIE = "__client";
export const SESSION_COOKIE = "__session";
export const DEVICE_COOKIE = "__device";
/**
 * Counts handshake redirects in a short window, to break redirect loops: a
 * loop is a token we mint that is then refused. Middleware expires the count
 * as soon as it accepts a token (`expireHandshakeCount`), so handshakes that
 * each led to a served page (short tokens, a tab left alone) never add up.
 */
export const HANDSHAKE_COUNT_COOKIE = "__handshake_count";
export const MAX_HANDSHAKE_REDIRECTS = 3;

/** OAuth: the sealed flow (PKCE, state, nonce) for 10 minutes, and the provider this browser signed in with last. */
export const OAUTH_FLOW_COOKIE = "__oauth";
export const LAST_PROVIDER_COOKIE = "__last_provider";

export type AuthCookieNames = { client: string; session: string; handshakeCount: string; device: string; oauthFlow: string; lastProvider: string };

const PLAIN_NAMES: AuthCookieNames = {
  client: CLIENT_COOKIE,
  session: SESSION_COOKIE,
  handshakeCount: HANDSHAKE_COUNT_COOKIE,
  device: DEVICE_COOKIE,
  oauthFlow: OAUTH_FLOW_COOKIE,
  lastProvider: LAST_PROVIDER_COOKIE,
};

/**
 * `__Host-` names: the browser only accepts them Secure, Path=/ and without a
 * Domain, so a sibling subdomain (or a network attacker over http) cannot
 * plant or overwrite them.
 */
const HOST_NAMES: AuthCookieNames = {
  client: "__Host-client",
  session: "__Host-session",
  handshakeCount: "__Host-handshake_count",
  device: "__Host-device",
  oauthFlow: "__Host-oauth",
  lastProvider: "__Host-last_provider",
};

/**
 * The cookie names of an instance: `__Host-` over https without a cookie
 * domain; plain otherwise (a `__session` with a Domain is what sibling apps read,
 * and `__Host-` cannot carry a Domain).
 */
export function authCookieNames(options: { secure: boolean; cookieDomain?: string | undefined }): AuthCookieNames {
  return options.secure && !options.cookieDomain ? HOST_NAMES : PLAIN_NAMES;
}

/** The instance is https when its origin (AUTH_URL, else the request's own) is. */
export function isHttpsInstance(requestUrl: string | URL, authUrl: string | undefined): boolean {
  return instanceOrigin(requestUrl, authUrl).startsWith("https:");
}

/**
 * The cookie names for a request, from the environment: middleware passes
 * process.env (AUTH_URL, AUTH_COOKIE_DOMAIN), server code its getConfig().
 */
export function authCookieNamesFor(
  requestUrl: string | URL,
  env: { AUTH_URL?: string | undefined; AUTH_COOKIE_DOMAIN?: string | undefined },
): AuthCookieNames {
  return authCookieNames({ secure: isHttpsInstance(requestUrl, env.AUTH_URL), cookieDomain: env.AUTH_COOKIE_DOMAIN });
}

/**
 * Expires the handshake counter (middleware, on a request whose token it
 * accepted). Same attributes as the server sets it with (lib/session/cookies.ts):
 * a `__Host-` name is always Secure without a Domain; a plain one takes
 * AUTH_COOKIE_DOMAIN when set.
 */
export function expireHandshakeCount(
  cookies: { set(name: string, value: string, options: Record<string, unknown>): unknown },
  names: AuthCookieNames,
  options: { secure: boolean; cookieDomain?: string | undefined },
): void {
  const hostPrefixed = names.handshakeCount.startsWith("__Host-");
  cookies.set(names.handshakeCount, "", {
    httpOnly: true,
    secure: hostPrefixed || options.secure,
    sameSite: "lax",
    path: "/",
    maxAge: 0,
    ...(options.cookieDomain && !hostPrefixed ? { domain: options.cookieDomain } : {}),
  });
}
