import "server-only";
import type { NextRequest, NextResponse } from "next/server";
import { authCookieNamesFor, type AuthCookieNames } from "@/lib/edge";
import { getConfig } from "@/lib/config";
import { DEVICE_COOKIE_MAX_AGE_SECONDS } from "./known-device";

type CookieOptions = NonNullable<Parameters<NextResponse["cookies"]["set"]>[2]>;

/** This request's cookie names (S2): `__Host-` on an https instance without AUTH_COOKIE_DOMAIN. */
export function requestCookieNames(request: NextRequest): AuthCookieNames {
  return authCookieNamesFor(request.url, getConfig());
}

/** S2 flags. A `__Host-` name only sticks when Secure, Path=/ and without Domain. */
function baseOptions(request: NextRequest, names: AuthCookieNames): CookieOptions {
  const config = getConfig();
  const hostPrefixed = names.session.startsWith("__Host-");
  const secure = hostPrefixed || request.nextUrl.protocol === "https:" || (config.AUTH_URL?.startsWith("https:") ?? false);
  return {
    httpOnly: true,
    secure,
    sameSite: "lax",
    path: "/",
    ...(config.AUTH_COOKIE_DOMAIN && !hostPrefixed ? { domain: config.AUTH_COOKIE_DOMAIN } : {}),
  };
}

export function readClientToken(request: NextRequest): string | null {
  return request.cookies.get(requestCookieNames(request).client)?.value ?? null;
}

/**
 * Sets `__session` (and `__client` when a new client was created) on a response (S2 flags).
 * `clientCookieMaxAgeSeconds` (the session-lifetime setting) overrides AUTH_SESSION_MAX_AGE_DAYS for `__client`.
 */
export function setAuthCookies(
  response: NextResponse,
  request: NextRequest,
  tokens: { sessionToken: string; newClientToken?: string | null; clientCookieMaxAgeSeconds?: number; deviceToken?: string },
): void {
  const names = requestCookieNames(request);
  response.cookies.set(names.session, tokens.sessionToken, baseOptions(request, names));
  setClientCookie(response, request, tokens.newClientToken ?? null, tokens.clientCookieMaxAgeSeconds);
  // A sign-in remembers this browser as a known device of the user (S10): set with the session.
  if (tokens.deviceToken) setDeviceCookie(response, request, tokens.deviceToken, DEVICE_COOKIE_MAX_AGE_SECONDS);
}

/** Sets `__client` alone (a sign-in attempt's device, before any session exists); no-op without a new token. */
export function setClientCookie(
  response: NextResponse,
  request: NextRequest,
  clientToken: string | null,
  maxAgeSeconds = getConfig().AUTH_SESSION_MAX_AGE_DAYS * 86_400,
): void {
  if (!clientToken) return;
  const names = requestCookieNames(request);
  response.cookies.set(names.client, clientToken, { ...baseOptions(request, names), maxAge: maxAgeSeconds });
}

/** Deletes `__session`, `__client` and the handshake counter: the browser is signed out. */
export function clearAuthCookies(response: NextResponse, request: NextRequest): void {
  const names = requestCookieNames(request);
  expire(response, request, [names.session, names.client, names.handshakeCount]);
}

/**
 * Deletes `__session` and the handshake counter but keeps `__client`, so the
 * browser's sessions survive (the handshake's loop breaker: the loop may be a
 * passing fault, such as the JWKS being unreachable, not a dead session).
 */
export function clearSessionTokenCookies(response: NextResponse, request: NextRequest): void {
  const names = requestCookieNames(request);
  expire(response, request, [names.session, names.handshakeCount]);
}

function expire(response: NextResponse, request: NextRequest, cookieNames: string[]): void {
  const options = baseOptions(request, requestCookieNames(request));
  for (const name of cookieNames) response.cookies.set(name, "", { ...options, maxAge: 0 });
}

/** Handshake redirects counted so far in the loop window (0 when none). */
export function readHandshakeCount(request: NextRequest): number {
  return Number(request.cookies.get(requestCookieNames(request).handshakeCount)?.value ?? "0") || 0;
}

export function setHandshakeCount(response: NextResponse, request: NextRequest, count: number, maxAgeSeconds: number): void {
  const names = requestCookieNames(request);
  response.cookies.set(names.handshakeCount, String(count), { ...baseOptions(request, names), maxAge: maxAgeSeconds });
}

/** The device cookie (`__device` / `__Host-device`): a browser that signed in before (S10 lockout budget). */
export function readDeviceCookie(request: NextRequest): string | null {
  return request.cookies.get(requestCookieNames(request).device)?.value ?? null;
}

/** Sets the device cookie. Always host-only: no other app needs it, so it never takes AUTH_COOKIE_DOMAIN. */
export function setDeviceCookie(response: NextResponse, request: NextRequest, value: string, maxAgeSeconds: number): void {
  const names = requestCookieNames(request);
  const options = baseOptions(request, names);
  delete options.domain;
  response.cookies.set(names.device, value, { ...options, maxAge: maxAgeSeconds });
}

/** The sealed OAuth flow (lib/oauth): HttpOnly, SameSite=Lax so the provider's redirect back carries it; 10 minutes. */
export function setOAuthFlowCookie(response: NextResponse, request: NextRequest, sealed: string, maxAgeSeconds: number): void {
  const names = requestCookieNames(request);
  const options = baseOptions(request, names);
  delete options.domain;
  response.cookies.set(names.oauthFlow, sealed, { ...options, maxAge: maxAgeSeconds });
}

export function readOAuthFlowCookie(request: NextRequest): string | null {
  return request.cookies.get(requestCookieNames(request).oauthFlow)?.value ?? null;
}

/** A callback consumes its flow: the cookie goes whatever the outcome, so it cannot be replayed. */
export function clearOAuthFlowCookie(response: NextResponse, request: NextRequest): void {
  const names = requestCookieNames(request);
  const options = baseOptions(request, names);
  delete options.domain;
  response.cookies.set(names.oauthFlow, "", { ...options, maxAge: 0 });
}

/** The provider this browser signed in with last: the sign-in page marks its button "Last used". */
export function setLastProviderCookie(response: NextResponse, request: NextRequest, providerId: string): void {
  const names = requestCookieNames(request);
  const options = baseOptions(request, names);
  delete options.domain;
  response.cookies.set(names.lastProvider, providerId, { ...options, maxAge: 400 * 86_400 });
}
