import { z } from "zod";
import { handler, idField, json, redirectUrlField } from "@/lib/http";
import { authenticationResponseSchema } from "@/lib/passkeys/schemas";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { finishPasskeySignIn } from "@/lib/sign-in";

const body = z.strictObject({
  attemptId: idField("attemptId"),
  response: authenticationResponseSchema,
  redirectUrl: redirectUrlField,
});

/** Step 2: the signed challenge; a verified passkey signs in (and counts as two factors). */
export const POST = handler({ body }, async ({ request, body }) => {
  const redirectUrl = await redirectAfter("signIn", body.redirectUrl);
  const result = await finishPasskeySignIn(
    { attemptId: body.attemptId, response: body.response, clientToken: readClientToken(request) },
    requestContext(request),
  );
  const response = json({ status: result.status, redirectUrl });
  setAuthCookies(response, request, result.session);
  return response;
});
