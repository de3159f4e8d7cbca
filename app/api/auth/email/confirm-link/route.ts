import { z } from "zod";
import { handler, json } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { confirmEmailLink } from "@/lib/sign-in";

const body = z.strictObject({ token: z.string().min(1).max(128) });

/** Only this POST (from the confirm page's button) consumes a link: a scanner's GET of the page never does (S4). */
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
