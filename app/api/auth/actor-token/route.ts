import { NextResponse, type NextRequest } from "next/server";
import { instanceOrigin } from "@/lib/edge";
import { getConfig } from "@/lib/config";
import { handler, tokenField } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { ActorTokenError, consumeActorToken } from "@/lib/sign-in";

function seeOther(request: NextRequest, path: string): NextResponse {
  const response = NextResponse.redirect(new URL(path, instanceOrigin(request.url, getConfig().AUTH_URL)), 303);
  response.headers.set("Cache-Control", "no-store");
  // The token is in this URL: never hand it on to the next page's requests.
  response.headers.set("Referrer-Policy", "no-referrer");
  return response;
}

/**
 * An actor token's link (S9), opened in a browser: the impersonation opens
 * (cookies as for one started from the admin console) and the browser goes
 * to the user's account page, with the banner. Without a session here the
 * browser is sent to sign in and comes back; any other refusal lands on
 * /actor-token, which says why. The token is used up only on success.
 */
export const GET = handler({}, async ({ request }) => {
  const token = tokenField.safeParse(request.nextUrl.searchParams.get("token"));
  if (!token.success) return seeOther(request, "/actor-token?error=invalid");
  try {
    const started = await consumeActorToken({ token: token.data, clientToken: readClientToken(request) }, requestContext(request));
    const response = seeOther(request, started.redirectUrl);
    setAuthCookies(response, request, {
      sessionToken: started.sessionToken,
      newClientToken: started.newClientToken,
      clientCookieMaxAgeSeconds: started.clientCookieMaxAgeSeconds,
    });
    return response;
  } catch (error) {
    if (!(error instanceof ActorTokenError)) throw error;
    if (error.reason === "sign_in") {
      const back = `${request.nextUrl.pathname}${request.nextUrl.search}`;
      return seeOther(request, `/sign-in?redirect_url=${encodeURIComponent(back)}`);
    }
    return seeOther(request, `/actor-token?error=${error.reason}`);
  }
});
