import { z } from "zod";
import { emailField, handler, humanProofFields, idField, json, redirectUrlField } from "@/lib/http";
import { readClientToken, requestContext, setClientCookie } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { resendEmailCode, sendEmailCode } from "@/lib/sign-in";

/** `{ email, intent, redirectUrl? }` sends a code + link; `{ attemptId }` resends for that attempt. */
const body = z.union([
  z.strictObject({ email: emailField, intent: z.enum(["sign_in", "sign_up"]), redirectUrl: redirectUrlField, ...humanProofFields }),
  z.strictObject({ attemptId: idField("attemptId") }),
]);

export const POST = handler({ body }, async ({ request, body }) => {
  const clientToken = readClientToken(request);
  const result =
    "attemptId" in body
      ? await resendEmailCode({ attemptId: body.attemptId, clientToken }, requestContext(request))
      : await sendEmailCode(
          { ...body, redirectUrl: await redirectAfter(body.intent === "sign_up" ? "signUp" : "signIn", body.redirectUrl), clientToken },
          requestContext(request),
        );
  const response = json({ status: result.status, attemptId: result.attemptId, resendAfter: result.resendAfter });
  setClientCookie(response, request, result.newClientToken);
  return response;
});
