import { z } from "zod";
import { handler, json, tokenField } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { confirmEmailLink } from "@/lib/sign-in";

const body = z.strictObject({ token: tokenField });

/**
 * Only this POST (from the confirm page's button) consumes a link: a scanner's
 * GET of the page never does (S4). It completes only in the browser that asked
 * for the link; elsewhere the answer is `open_on_original_device` and nothing
 * changes (or, with cross-device completion on, `verified_elsewhere`).
 */
export const POST = handler({ body }, async ({ request, body }) => {
  const result = await confirmEmailLink(
    { token: body.token, clientToken: readClientToken(request) },
    requestContext(request),
  );
  if (result.status !== "complete") return json(result);
  const response = json({ status: result.status, redirectUrl: result.redirectUrl ?? "/" });
  setAuthCookies(response, request, result.session);
  return response;
});
