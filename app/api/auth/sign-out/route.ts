import { z } from "zod";
import { handler, json } from "@/lib/http";
import { clearAuthCookies, readClientToken, refreshSessionToken, requestContext, setAuthCookies, signOut } from "@/lib/session";

const body = z.strictObject({ scope: z.enum(["session", "all", "browser"]).default("session") });

/**
 * Sign out (S2). With several accounts on this browser (multi-session), the
 * next one becomes active and its token is set here, so the browser stays
 * signed in as that account; otherwise every auth cookie goes.
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
  const response = json({ redirectUrl: "/sign-in" });
  clearAuthCookies(response, request);
  return response;
});
