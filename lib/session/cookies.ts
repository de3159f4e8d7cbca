import "server-only";
import type { NextRequest, NextResponse } from "next/server";
import { CLIENT_COOKIE, HANDSHAKE_COUNT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { getConfig } from "@/lib/config";

type CookieOptions = Parameters<NextResponse["cookies"]["set"]>[2];

function baseOptions(request: NextRequest): NonNullable<CookieOptions> {
  const config = getConfig();
  const secure = request.nextUrl.protocol === "https:" || (config.AUTH_URL?.startsWith("https:") ?? false);
  return {
    httpOnly: true,
    secure,
    sameSite: "lax",
    path: "/",
    ...(config.AUTH_COOKIE_DOMAIN ? { domain: config.AUTH_COOKIE_DOMAIN } : {}),
  };
}

export function readClientToken(request: NextRequest): string | null {
  return request.cookies.get(CLIENT_COOKIE)?.value ?? null;
}

/** Sets `__session` (and `__client` when a new client was created) on a response (S2 flags). */
export function setAuthCookies(
  response: NextResponse,
  request: NextRequest,
  tokens: { sessionToken: string; newClientToken?: string | null },
): void {
  response.cookies.set(SESSION_COOKIE, tokens.sessionToken, baseOptions(request));
  setClientCookie(response, request, tokens.newClientToken ?? null);
}

/** Sets `__client` alone (a sign-in attempt's device, before any session exists); no-op without a new token. */
export function setClientCookie(response: NextResponse, request: NextRequest, clientToken: string | null): void {
  if (!clientToken) return;
  response.cookies.set(CLIENT_COOKIE, clientToken, {
    ...baseOptions(request),
    maxAge: getConfig().AUTH_SESSION_MAX_AGE_DAYS * 86_400,
  });
}

export function clearAuthCookies(response: NextResponse, request: NextRequest): void {
  const options = baseOptions(request);
  for (const name of [SESSION_COOKIE, CLIENT_COOKIE, HANDSHAKE_COUNT_COOKIE]) {
    response.cookies.set(name, "", { ...options, maxAge: 0 });
  }
}
