import { NextResponse, type NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { allowedRedirect, handler, mediaType, readAtMost } from "@/lib/http";
import { formPostRedirect, formPostResponse } from "@/lib/oauth";
import {
  clearOAuthFlowCookie,
  readClientToken,
  readOAuthFlowCookie,
  requestContext,
  setAuthCookies,
  setClientCookie,
  setLastProviderCookie,
} from "@/lib/session";
import { finishOAuth, type OAuthCallbackResult } from "@/lib/sign-in";

/**
 * Where the provider sends the browser back (S5): the exact redirect URI
 * registered with it. The domain checks the round trip and signs in, signs
 * up or connects; this maps the outcome to where the browser goes next. The
 * flow cookie is spent either way.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ provider: string }> }) {
  const { provider } = await params;
  return handler({}, async ({ request }) => {
    const context = requestContext(request);
    const result = await finishOAuth(
      {
        providerId: provider,
        currentUrl: new URL(request.nextUrl.pathname + request.nextUrl.search, context.issuer),
        sealedState: readOAuthFlowCookie(request),
        clientToken: readClientToken(request),
      },
      context,
    );
    const response = NextResponse.redirect(new URL(nextLocation(result), context.issuer), 303);
    response.headers.set("Cache-Control", "no-store");
    clearOAuthFlowCookie(response, request);
    if (result.status === "complete") {
      setAuthCookies(response, request, result.session);
      setLastProviderCookie(response, request, result.provider.id);
    } else if (result.status === "needs_second_factor" || result.status === "needs_verification") {
      setClientCookie(response, request, result.newClientToken);
    }
    return response;
  })(request);
}

/**
 * A form_post provider (Apple) POSTs its answer here from its own site, so
 * the browser sends neither our Origin nor the SameSite=Lax flow cookie. The
 * POST changes nothing: it answers 303 to the GET above with the answer in
 * the query (a top-level GET carries the cookie), where state, PKCE and the
 * flow cookie are checked as for every provider. Other providers: 404.
 */
export async function POST(request: NextRequest, { params }: { params: Promise<{ provider: string }> }) {
  const { provider } = await params;
  return handler({ caller: "provider_form_post" }, async ({ request }) => {
    if (mediaType(request.headers.get("content-type")) !== "application/x-www-form-urlencoded") {
      throw new AppError("unsupported_media_type", "Send the authorization response as a form.");
    }
    const raw = await readAtMost(request.body, 16 * 1024);
    if (!raw) throw new AppError("payload_too_large", "The request body is too large.");
    const parsed = formPostResponse.safeParse(Object.fromEntries(new URLSearchParams(raw.toString("utf8"))));
    if (!parsed.success) throw new AppError("validation_failed", "The authorization response is malformed.");
    const location = await formPostRedirect({
      providerId: provider,
      callbackUrl: new URL(request.nextUrl.pathname, requestContext(request).issuer).href,
      response: parsed.data,
    });
    const response = NextResponse.redirect(location, 303);
    response.headers.set("Cache-Control", "no-store");
    return response;
  })(request);
}

function nextLocation(result: OAuthCallbackResult): string {
  const page = (query: Record<string, string | null | undefined>) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value) search.set(key, value);
    return `/sso-callback?${search}`;
  };
  switch (result.status) {
    case "complete":
      return allowedRedirect(result.redirectUrl);
    case "connected":
      return withParam(allowedRedirect(result.redirectUrl, "/account/connected-accounts"), "connected", result.provider.id);
    case "needs_second_factor":
      return page({ step: "second_factor", attempt: result.attemptId });
    case "needs_verification":
      return page({ step: "verify", attempt: result.attemptId });
    case "failed":
      return page({ error: result.reason, provider: result.provider?.id, intent: result.intent === "connect" ? "connect" : null });
  }
}

function withParam(location: string, key: string, value: string): string {
  const url = new URL(location, "http://placeholder.invalid");
  url.searchParams.set(key, value);
  return url.origin === "http://placeholder.invalid" ? `${url.pathname}${url.search}${url.hash}` : url.href;
}
