import { NextResponse, type NextRequest } from "next/server";
import { instanceOrigin } from "@/lib/edge";
import { getConfig } from "@/lib/config";
import { isAppError } from "@/lib/errors";
import { handler, json, mediaType } from "@/lib/http";
import { clearAuthCookies, readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { stopImpersonation } from "@/lib/sign-in";

/** A plain HTML form post (the banner works without JS) rather than a fetch that wants JSON. */
function isFormPost(request: NextRequest): boolean {
  const type = mediaType(request.headers.get("content-type"));
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") return true;
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("text/html") && !accept.includes("application/json");
}

function seeOther(request: NextRequest, path: string): NextResponse {
  const response = NextResponse.redirect(new URL(path, instanceOrigin(request.url, getConfig().AUTH_URL)), 303);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

/**
 * "Stop impersonating" (S8): ends the impersonation on this browser and goes
 * back to the admin's own session (new client and session cookies), or signs
 * the browser out when that session is gone. A form post is answered with a
 * 303 to the user's admin page; a fetch with JSON naming the same place.
 */
export const POST = handler({}, async ({ request }) => {
  const form = isFormPost(request);
  let stopped;
  try {
    stopped = await stopImpersonation(readClientToken(request), requestContext(request));
  } catch (error) {
    if (!form || !isAppError(error)) throw error;
    // A form has no script to read an error: not impersonating -> home; signed out -> sign-in.
    if (error.code !== "session_invalid") return seeOther(request, "/");
    const response = seeOther(request, "/sign-in");
    clearAuthCookies(response, request);
    return response;
  }

  const redirectUrl = stopped.admin ? `/admin/users/${encodeURIComponent(stopped.impersonatedUserId)}` : "/sign-in";
  const response = form
    ? seeOther(request, redirectUrl)
    : json({ status: stopped.admin ? "stopped" : "signed_out", userId: stopped.impersonatedUserId, redirectUrl });
  if (stopped.admin) {
    setAuthCookies(response, request, {
      sessionToken: stopped.admin.sessionToken,
      newClientToken: stopped.newClientToken,
      clientCookieMaxAgeSeconds: stopped.clientCookieMaxAgeSeconds,
    });
  } else {
    clearAuthCookies(response, request);
  }
  return response;
});
