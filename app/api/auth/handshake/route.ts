import { NextResponse } from "next/server";
import { z } from "zod";
import { HANDSHAKE_COUNT_COOKIE, MAX_HANDSHAKE_REDIRECTS, SIGN_IN_PATH } from "@/lib/edge";
import { allowedRedirect, handler } from "@/lib/http";
import { isAppError } from "@/lib/errors";
import { clearAuthCookies, readClientToken, refreshSessionToken, requestContext, setAuthCookies } from "@/lib/session";

const query = z.object({ redirect_url: z.string().max(2048).optional() });

/** Seconds a handshake redirect is remembered when counting loops. */
const LOOP_WINDOW_SECONDS = 20;

/**
 * The handshake (S2): middleware sends a page navigation here when the
 * session token is missing or expired but a `__client` cookie is present.
 * We re-check the session in the DB, mint a fresh token and go back.
 */
export const GET = handler({ query }, async ({ request, query }) => {
  const destination = allowedRedirect(query.redirect_url);
  const signIn = new URL(SIGN_IN_PATH, request.nextUrl.origin);
  signIn.searchParams.set("redirect_url", destination);

  const count = Number(request.cookies.get(HANDSHAKE_COUNT_COOKIE)?.value ?? "0") || 0;
  if (count >= MAX_HANDSHAKE_REDIRECTS) {
    // Tokens we mint keep being refused (clock skew, wrong AUTH_URL...): stop looping.
    console.warn("[portal] handshake redirect loop detected; signing the browser out");
    const response = NextResponse.redirect(signIn);
    clearAuthCookies(response, request);
    return response;
  }

  try {
    const issued = await refreshSessionToken(readClientToken(request), requestContext(request));
    const response = NextResponse.redirect(new URL(destination, request.nextUrl.origin));
    response.headers.set("Cache-Control", "no-store");
    setAuthCookies(response, request, issued);
    response.cookies.set(HANDSHAKE_COUNT_COOKIE, String(count + 1), {
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      maxAge: LOOP_WINDOW_SECONDS,
    });
    return response;
  } catch (error) {
    if (!isAppError(error)) throw error;
    const response = NextResponse.redirect(signIn);
    clearAuthCookies(response, request);
    return response;
  }
});
