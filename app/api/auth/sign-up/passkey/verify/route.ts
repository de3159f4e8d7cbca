import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { registrationResponseSchema } from "@/lib/passkeys/schemas";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { finishPasskeySignUp } from "@/lib/sign-up";

const body = z.strictObject({ attemptId: idField("attemptId"), response: registrationResponseSchema });

/** Passkey sign-up (S13): the new passkey verified, the account and its first session open. */
export const POST = handler({ body }, async ({ request, body }) => {
  const result = await finishPasskeySignUp(
    { attemptId: body.attemptId, response: body.response, clientToken: readClientToken(request) },
    requestContext(request),
  );
  const response = json({ status: result.status, redirectUrl: result.redirectUrl ?? "/" });
  setAuthCookies(response, request, result.session);
  return response;
});
