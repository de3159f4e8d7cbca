import type { NextRequest } from "next/server";
import { z } from "zod";
import { allowedRedirect, handler, json, redirectUrlField } from "@/lib/http";
import { OAUTH_FLOW_TTL_MS } from "@/lib/oauth";
import { authenticateRequest, requestContext, setOAuthFlowCookie } from "@/lib/session";
import { startOAuth } from "@/lib/sign-in";

const body = z.strictObject({
  intent: z.enum(["sign_in", "connect"], { error: "Choose sign_in or connect." }).default("sign_in"),
  redirectUrl: redirectUrlField,
});

/**
 * Starts sign-in (or connecting, when signed in) with a provider (S5): answers
 * the provider's authorization URL for the page to navigate to, and binds the
 * flow to this browser with the sealed `__oauth` cookie. A POST from our own
 * pages (Origin checked), so another site cannot start a flow in the background.
 */
export async function POST(request: NextRequest, { params }: { params: Promise<{ provider: string }> }) {
  const { provider } = await params;
  return handler({ body }, async ({ request, body }) => {
    const signedIn = body.intent === "connect" ? await authenticateRequest(request) : null;
    const started = await startOAuth(
      {
        providerId: provider,
        intent: body.intent,
        redirectUrl:
          body.intent === "connect"
            ? allowedRedirect(body.redirectUrl, "/account/connected-accounts")
            : // Empty: the admin's after-sign-in or after-sign-up URL, decided once the callback knows whether the account is new.
              allowedRedirect(body.redirectUrl, ""),
        signedInUserId: signedIn?.userId ?? null,
        impersonating: Boolean(signedIn?.actor),
      },
      requestContext(request),
    );
    const response = json({ status: "redirect", url: started.authorizationUrl });
    setOAuthFlowCookie(response, request, started.sealedState, OAUTH_FLOW_TTL_MS / 1000);
    return response;
  })(request);
}
