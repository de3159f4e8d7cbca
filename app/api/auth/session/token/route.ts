import { z } from "zod";
import { handler, json } from "@/lib/http";
import { mintTemplateToken, templateNameField } from "@/lib/jwt-templates";
import { readClientToken, refreshSessionToken, requestContext, requireRequestAuth, setAuthCookies } from "@/lib/session";

const body = z.strictObject({ template: templateNameField.optional() });

/**
 * `getToken({ template })` (S2, S9): same-origin and signed in. With a
 * template, a token minted from it for the caller's session (an unknown
 * template is 404); without, a fresh session token through the refresh path
 * (its cookie is renewed too), for a page that sends it to another API.
 */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireRequestAuth(request);
  const context = requestContext(request);
  if (body.template) {
    const minted = await mintTemplateToken({ templateName: body.template, sessionId: auth.sessionId, issuer: context.issuer });
    return json({ jwt: minted.jwt, expiresAt: minted.expiresAt });
  }
  const issued = await refreshSessionToken(readClientToken(request), context);
  const response = json({ jwt: issued.sessionToken, expiresAt: issued.expiresAt });
  setAuthCookies(response, request, issued);
  return response;
});
