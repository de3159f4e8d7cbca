import "server-only";
import { cache } from "react";
import { cookies, headers } from "next/headers";
import type { NextRequest } from "next/server";
import { notFound, redirect } from "next/navigation";
import { createLocalJWKSet } from "jose";
import { authCookieNamesFor, resolveIssuer, verifySessionToken, type SessionClaims } from "@/lib/edge";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { getUserProfile, type UserProfile } from "@/lib/users";
import { requestCookieNames } from "./cookies";
import { getPublicJwks } from "./keys";

export type AuthState = {
  userId: string;
  sessionId: string;
  claims: SessionClaims;
  actor: { sub: string } | null;
};

const JWKS_CACHE_MS = 60_000;
/** The verified-token cache's name for these keys: the server's own, read from the DB. */
const LOCAL_KEY_SET_ID = "local";
let localJwks: { keys: ReturnType<typeof createLocalJWKSet>; loadedAt: number } | undefined;

async function serverJwks() {
  if (!localJwks || Date.now() - localJwks.loadedAt > JWKS_CACHE_MS) {
    localJwks = { keys: createLocalJWKSet(await getPublicJwks()), loadedAt: Date.now() };
  }
  return localJwks.keys;
}

/**
 * `next dev` only: how long after its `exp` a page or handler still accepts a token. In
 * development a route compiles on its first request AFTER the middleware checked the token and
 * BEFORE the page or handler checks it again: 15-20 s on 2 busy cores, enough for a 60 s token
 * the middleware accepted to expire on the way (the page then sent a signed-in admin to
 * sign-in). The middleware stays strict, so a token expired on arrival is still renewed through
 * the handshake; production builds have no compile gap and no tolerance.
 */
export const DEV_COMPILE_TOLERANCE_SECONDS = 60;

/**
 * Everywhere else: the same gap, without the compile. A page or handler checks the token a
 * moment after the middleware accepted it; on a busy machine that moment can outlast a token
 * that had a second left (a router.refresh() right after an API call then landed a signed-in
 * admin on /sign-in). Five seconds, like the clock skew other token verifiers allow (Clerk's
 * default). The middleware stays strict: a token expired on arrival is still renewed.
 */
export const SERVER_EXPIRY_LEEWAY_SECONDS = 5;

function expiryToleranceSeconds(): number {
  return process.env.NODE_ENV === "development" ? DEV_COMPILE_TOLERANCE_SECONDS : SERVER_EXPIRY_LEEWAY_SECONDS;
}

/**
 * Verifies a session token on the server (pages, handlers). Middleware has
 * usually verified the same token already; the shared verified-token cache
 * makes this check nearly free.
 */
export async function verifyTokenOnServer(token: string, requestOrigin: string): Promise<SessionClaims | null> {
  const issuer = resolveIssuer(requestOrigin, getConfig().AUTH_URL);
  const expiryTolerance = expiryToleranceSeconds();
  const verify = async () =>
    verifySessionToken(token, { keys: await serverJwks(), keySetId: LOCAL_KEY_SET_ID, issuer, expiryToleranceSeconds: expiryTolerance });
  let result = await verify();
  if (!result.ok && result.reason === "invalid") {
    // A key rotated in another process is not in our cached set yet: reload once.
    localJwks = undefined;
    result = await verify();
  }
  return result.ok ? result.claims : null;
}

function toAuthState(claims: SessionClaims): AuthState {
  return { userId: claims.sub, sessionId: claims.sid, claims, actor: claims.act ?? null };
}

function bearerToken(authorization: string | null): string | undefined {
  return authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

/** The auth state of a route handler's request (Bearer header or `__session` cookie). */
export async function authenticateRequest(request: NextRequest): Promise<AuthState | null> {
  const token = bearerToken(request.headers.get("authorization")) ?? request.cookies.get(requestCookieNames(request).session)?.value;
  if (!token) return null;
  const claims = await verifyTokenOnServer(token, request.nextUrl.origin);
  return claims ? toAuthState(claims) : null;
}

/**
 * For handlers that act for the signed-in user: the auth state, or 401. The
 * token says who; handlers that change something re-check in the DB what
 * they touch (a revoked session is refused by the step-up check and by the
 * token's 60 s lifetime).
 */
export async function requireRequestAuth(request: NextRequest): Promise<AuthState> {
  const state = await authenticateRequest(request);
  if (!state) throw new AppError("unauthenticated", "Sign in to continue.");
  return state;
}

/**
 * For changes only the user themself may make (S8: an impersonating admin
 * cannot change sign-in methods, addresses, password or MFA): the auth
 * state, 401 when signed out, 403 naming `what` while impersonating.
 */
export async function requireOwnRequestAuth(request: NextRequest, what: string): Promise<AuthState> {
  const state = await requireRequestAuth(request);
  if (state.actor) throw new AppError("forbidden", `${what} cannot be changed while impersonating a user.`);
  return state;
}

async function requestOrigin(): Promise<string> {
  const list = await headers();
  // First entry of a proxy chain's list ("https, http"), so the origin always parses.
  const first = (name: string) => list.get(name)?.split(",")[0]?.trim() || undefined;
  const host = first("x-forwarded-host") ?? first("host") ?? "localhost";
  const proto = first("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  return `${proto}://${host}`;
}

/** `{ userId, sessionId, claims, actor }` for the signed-in request, or null (S2). */
export const auth = cache(async (): Promise<AuthState | null> => {
  const list = await headers();
  const origin = await requestOrigin();
  const sessionCookie = authCookieNamesFor(origin, getConfig()).session;
  const token = bearerToken(list.get("authorization")) ?? (await cookies()).get(sessionCookie)?.value;
  if (!token) return null;
  const claims = await verifyTokenOnServer(token, origin);
  return claims ? toAuthState(claims) : null;
});

/** The signed-in user's profile, or null. */
export const currentUser = cache(async (): Promise<UserProfile | null> => {
  const state = await auth();
  return state ? getUserProfile(state.userId) : null;
});

/** For pages: the signed-in user, or a redirect to sign-in. */
export async function requireUser(): Promise<UserProfile> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return user;
}

/**
 * For admin pages (S8): the signed-in admin; to anyone else the page does not
 * exist. The role is read from the DB, not the token, so a demoted admin is
 * out at once; an impersonation session (its user is never an admin, and the
 * actor acts as that user) never reaches admin pages.
 */
export async function requireAdmin(): Promise<UserProfile> {
  const user = await requireUser();
  const state = await auth();
  if (user.role !== "admin" || state?.actor) notFound();
  return user;
}

export type AdminRequestAuth = AuthState & { admin: UserProfile };

/**
 * For admin route handlers (S8): the middleware checked the token's role
 * claim; this checks the DB too (a demoted admin loses access within the
 * token's lifetime, not after it). 401 signed out, 403 for anyone else.
 */
export async function requireAdminRequest(request: NextRequest): Promise<AdminRequestAuth> {
  const state = await requireRequestAuth(request);
  const admin = state.actor ? null : await getUserProfile(state.userId);
  if (!admin || admin.role !== "admin") throw new AppError("forbidden", "Admins only.");
  return { ...state, admin };
}

/** The browser's `__client` token in a server component (the confirm page asks "is this the browser that asked?"). */
export async function readClientTokenFromCookies(): Promise<string | null> {
  const names = authCookieNamesFor(await requestOrigin(), getConfig());
  return (await cookies()).get(names.client)?.value ?? null;
}

/** The provider this browser signed in with last (the sign-in page's "Last used" hint). */
export async function readLastProviderFromCookies(): Promise<string | null> {
  const names = authCookieNamesFor(await requestOrigin(), getConfig());
  return (await cookies()).get(names.lastProvider)?.value ?? null;
}
