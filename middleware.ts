// Edge middleware (S2, S10): verifies the short-lived session JWT on every
// request with jose + Web Crypto only (no database), and puts the security
// headers (CSP with a per-request nonce, ...) on every response it produces.
// It imports lib/edge and nothing else of ours (lib/edge/import-graph.test.ts
// enforces it), so renaming this file to proxy.ts for Node is a one-line change.
import { NextResponse, type NextRequest } from "next/server";
import type { JWTVerifyGetKey } from "jose";
import {
  HANDSHAKE_PATH,
  SIGN_IN_PATH,
  applySecurityHeaders,
  authCookieNamesFor,
  createNonce,
  createOutageTolerantJWKSet,
  expireHandshakeCount,
  instanceOrigin,
  isAdminRoute,
  isApiRoute,
  isHttpsInstance,
  isPublicRoute,
  securityHeaders,
  verifySessionToken,
  type AuthCookieNames,
  type SessionClaims,
} from "@/lib/edge";

/**
 * One key set per JWKS URL: jose caches the keys and refetches once per cooldown on
 * an unknown `kid`; a failed refetch keeps the last good set (lib/edge/jwks.ts).
 * Without AUTH_URL (development) the URL follows the request's Host, so the map is capped.
 */
const MAX_KEY_SETS = 16;
const keySets = new Map<string, JWTVerifyGetKey>();

function jwksUrlFor(origin: string): string {
  return process.env.AUTH_JWKS_URL ?? `${origin}/.well-known/jwks.json`;
}

function keySetFor(url: string): JWTVerifyGetKey {
  let keys = keySets.get(url);
  if (!keys) {
    if (keySets.size >= MAX_KEY_SETS) keySets.delete(keySets.keys().next().value!);
    keys = createOutageTolerantJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    keySets.set(url, keys);
  }
  return keys;
}

function presentedToken(request: NextRequest, names: AuthCookieNames): string | undefined {
  const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? request.cookies.get(names.session)?.value;
}

async function verifiedClaims(origin: string, token: string | undefined): Promise<SessionClaims | null> {
  if (!token) return null;
  const jwksUrl = jwksUrlFor(origin);
  try {
    const result = await verifySessionToken(token, { keys: keySetFor(jwksUrl), keySetId: jwksUrl, issuer: origin });
    return result.ok ? result.claims : null;
  } catch {
    return null; // a malformed AUTH_JWKS_URL: treat as signed out rather than failing every request
  }
}

function unauthorized(hasToken: boolean): NextResponse {
  return NextResponse.json(
    { errors: [{ code: "unauthenticated", message: "Sign in to continue." }], message: "Sign in to continue." },
    {
      status: 401,
      headers: { "WWW-Authenticate": hasToken ? 'Bearer error="invalid_token"' : 'Bearer realm="portal"' },
    },
  );
}

export async function middleware(request: NextRequest): Promise<NextResponse> {
  const headers = securityHeaders({
    nonce: createNonce(),
    environment: process.env.NODE_ENV,
    pathname: request.nextUrl.pathname,
    turnstile: Boolean(process.env.TURNSTILE_SITE_KEY),
  });
  const response = await route(request, headers["Content-Security-Policy"]!);
  applySecurityHeaders(response.headers, headers);
  return response;
}

/** Lets the request through with the CSP on its headers too: Next.js reads the nonce from there when rendering. */
function passThrough(request: NextRequest, csp: string): NextResponse {
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", csp);
  return NextResponse.next({ request: { headers: requestHeaders } });
}

async function route(request: NextRequest, csp: string): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  // First: a public route needs no origin, cookie names or token (every request pays for what comes before this).
  if (isPublicRoute(pathname)) return passThrough(request, csp);

  // Every redirect and the issuer use the instance origin (AUTH_URL), never the URL the request reached us on.
  const origin = instanceOrigin(request.url, process.env.AUTH_URL);
  // Each variable named statically: on Vercel the Edge runtime only gets the ones it sees referenced.
  const names = authCookieNamesFor(request.url, { AUTH_URL: process.env.AUTH_URL, AUTH_COOKIE_DOMAIN: process.env.AUTH_COOKIE_DOMAIN });
  const token = presentedToken(request, names);

  const claims = await verifiedClaims(origin, token);
  if (claims) {
    if (isAdminRoute(pathname) && claims.role !== "admin") {
      if (isApiRoute(pathname)) {
        return NextResponse.json({ errors: [{ code: "forbidden", message: "Admins only." }], message: "Admins only." }, { status: 403 });
      }
      return NextResponse.redirect(new URL("/", origin));
    }
    const response = passThrough(request, csp);
    // A token we minted was accepted: the handshakes that led here were not a loop.
    if (request.cookies.has(names.handshakeCount)) {
      expireHandshakeCount(response.cookies, names, { secure: isHttpsInstance(request.url, process.env.AUTH_URL), cookieDomain: process.env.AUTH_COOKIE_DOMAIN });
    }
    return response;
  }

  if (isApiRoute(pathname)) return unauthorized(Boolean(token));

  // Page navigation without a valid token: with a client cookie the handshake can
  // re-mint one from the DB; without it the visitor has to sign in.
  const target = new URL(request.cookies.has(names.client) ? HANDSHAKE_PATH : SIGN_IN_PATH, origin);
  target.searchParams.set("redirect_url", `${pathname}${search}`);
  return NextResponse.redirect(target);
}

export const config = {
  // Everything except Next's static assets, files served from public/ and /bench/floor (the benchmark's
  // page without middleware, 404 unless AUTH_BENCH_ROUTES=1: the floor its base cost is measured against).
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt|bench/floor$|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico)$).*)"],
};
