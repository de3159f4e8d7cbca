import { NextResponse } from "next/server";
import { z } from "zod";
import { MAX_HANDSHAKE_REDIRECTS, SIGN_IN_PATH, instanceOrigin } from "@/lib/edge";
import { allowedRedirect, handler } from "@/lib/http";
import { getConfig } from "@/lib/config";
import { isAppError } from "@/lib/errors";
import {
  clearAuthCookies,
  clearSessionTokenCookies,
  readClientToken,
  readHandshakeCount,
  refreshSessionToken,
  requestContext,
  setAuthCookies,
  setHandshakeCount,
  UnknownClientError,
} from "@/lib/session";

// A page navigation: an unusable redirect_url falls back to "/" (allowedRedirect) instead of a 400 page.
const query = z.object({ redirect_url: z.string().max(2048).optional() });

/** Seconds a handshake redirect is remembered when counting loops. */
const LOOP_WINDOW_SECONDS = 20;

/**
 * The handshake (S2): middleware sends a page navigation here when the
 * session token is missing or expired but a `__client` cookie is present.
 * We re-check the session in the DB, mint a fresh token and go back.
 */
export const GET = handler({ query }, async ({ request, query }) => {
  // Redirects go to the instance origin (AUTH_URL), never to the URL the request reached us on.
  const origin = instanceOrigin(request.url, getConfig().AUTH_URL);
  const destination = allowedRedirect(query.redirect_url);
  const signIn = new URL(SIGN_IN_PATH, origin);
  signIn.searchParams.set("redirect_url", destination);

  const count = readHandshakeCount(request);
  if (count >= MAX_HANDSHAKE_REDIRECTS) {
    // Tokens we mint keep being refused (JWKS unreachable, clock skew, wrong AUTH_URL...): stop
    // looping, but keep `__client`: the sessions are fine and come back once the fault is gone.
    console.warn("[portal] handshake redirect loop detected; sending the browser to sign-in, keeping its client");
    const response = NextResponse.redirect(signIn);
    clearSessionTokenCookies(response, request);
    return response;
  }

  try {
    const issued = await refreshSessionToken(readClientToken(request), requestContext(request));
    const response = NextResponse.redirect(new URL(destination, origin));
    response.headers.set("Cache-Control", "no-store");
    setAuthCookies(response, request, issued);
    setHandshakeCount(response, request, count + 1, LOOP_WINDOW_SECONDS);
    return response;
  } catch (error) {
    if (!isAppError(error)) throw error;
    const response = NextResponse.redirect(signIn);
    // An unknown client token may have been replaced while this navigation was on its way: another
    // tab signed in, and its answer's new cookies can land after ours. Clearing them would undo that
    // sign-in, so leave them; the sign-in page sends the browser on if they are there by then.
    if (error instanceof UnknownClientError) return response;
    // The DB says the session is gone (revoked, expired, banned...): sign the browser out.
    clearAuthCookies(response, request);
    return response;
  }
});
