// Edge middleware (S2, S10): verifies the short-lived session JWT on every
// request with jose + Web Crypto only (no database), and puts the security
// headers (CSP with a per-request nonce, ...) on every response it produces.
// It imports lib/edge and nothing else of ours (lib/edge/import-graph.test.ts
// enforces it), so renaming this file to proxy.ts for Node is a one-line change.
import { NextResponse, type NextRequest } from "next/server";
import { createRemoteJWKSet } from "jose";
import {
  CLIENT_COOKIE,
  HANDSHAKE_PATH,
  SESSION_COOKIE,
  SIGN_IN_PATH,
  applySecurityHeaders,
  createNonce,
  isAdminRoute,
  isApiRoute,
  isPublicRoute,
  resolveIssuer,
  securityHeaders,
  verifySessionToken,
  type SessionClaims,
} from "@/lib/edge";

// One remote key set per JWKS URL: jose caches the keys and refetches once on an unknown `kid`.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySetFor(issuer: string) {
  const url = process.env.AUTH_JWKS_URL ?? `${issuer}/.well-known/jwks.json`;
  let keys = keySets.get(url);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(url), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    keySets.set(url, keys);
  }
  return keys;
}

function presentedToken(request: NextRequest): string | undefined {
  const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? request.cookies.get(SESSION_COOKIE)?.value;
}

async function verifiedClaims(request: NextRequest, token: string | undefined): Promise<SessionClaims | null> {
  if (!token) return null;
  const issuer = resolveIssuer(request.nextUrl.origin, process.env.AUTH_URL);
  try {
    const result = await verifySessionToken(token, { keys: keySetFor(issuer), issuer });
    return result.ok ? result.claims : null;
  } catch {
    return null; // JWKS unreachable: treat as signed out rather than failing the request
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
  const headers = securityHeaders({ nonce: createNonce(), environment: process.env.NODE_ENV });
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
  const token = presentedToken(request);

  if (isPublicRoute(pathname)) return passThrough(request, csp);

  const claims = await verifiedClaims(request, token);
  if (claims) {
    if (isAdminRoute(pathname) && claims.role !== "admin") {
      if (isApiRoute(pathname)) {
        return NextResponse.json({ errors: [{ code: "forbidden", message: "Admins only." }], message: "Admins only." }, { status: 403 });
      }
      return NextResponse.redirect(new URL("/", request.url));
    }
    return passThrough(request, csp);
  }

  if (isApiRoute(pathname)) return unauthorized(Boolean(token));

  // Page navigation without a valid token: with a client cookie the handshake can
  // re-mint one from the DB; without it the visitor has to sign in.
  const target = new URL(request.cookies.has(CLIENT_COOKIE) ? HANDSHAKE_PATH : SIGN_IN_PATH, request.url);
  target.searchParams.set("redirect_url", `${pathname}${search}`);
  return NextResponse.redirect(target);
}

export const config = {
  // Everything except Next's static assets and files served from public/.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico)$).*)"],
};
