import { z } from "zod";
import { handler, json, redirectUrlField } from "@/lib/http";
import { clearAuthCookies, readClientToken, refreshSessionToken, requestContext, setAuthCookies, signOut } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";

const body = z.strictObject({
  scope: z.enum(["session", "all", "browser"]).default("session"),
  /** Where to go once signed out; without one (or one the open-redirect rule refuses), the after-sign-out setting (S8). */
  redirectUrl: redirectUrlField,
});

/**
 * Sign out (S2). With several accounts on this browser (multi-session), the
 * next one becomes active and its token is set here, so the browser stays
 * signed in as that account (and goes home); otherwise every auth cookie goes.
 */
export const POST = handler({ body }, async ({ request, body }) => {
  const clientToken = readClientToken(request);
  const context = requestContext(request);
  const { anotherAccountActive } = await signOut(clientToken, body.scope, context);
  if (anotherAccountActive) {
    const next = await refreshSessionToken(clientToken, context).catch(() => null);
    if (next) {
      const response = json({ redirectUrl: "/", signedInAs: next.userId });
      setAuthCookies(response, request, { sessionToken: next.sessionToken });
      return response;
    }
  }
  const response = json({ redirectUrl: await redirectAfter("signOut", body.redirectUrl) });
  clearAuthCookies(response, request);
  return response;
});
