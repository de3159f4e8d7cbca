import { z } from "zod";
import { handler, humanProofFields, idField, json, nameField, phoneField, redirectUrlField } from "@/lib/http";
import { readClientToken, requestContext, setClientCookie } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { resendPhoneCode, sendPhoneCode } from "@/lib/sign-in";

/** `{ phone, intent, ... }` texts a sign-in or sign-up code (issue 19); `{ attemptId }` resends for that attempt. */
const body = z.union([
  z.strictObject({
    phone: phoneField,
    intent: z.enum(["sign_in", "sign_up"]),
    firstName: nameField,
    lastName: nameField,
    redirectUrl: redirectUrlField,
    ...humanProofFields,
  }),
  z.strictObject({ attemptId: idField("attemptId") }),
]);

/** Same answer for known and unknown numbers (S10). */
export const POST = handler({ body }, async ({ request, body }) => {
  const clientToken = readClientToken(request);
  const result =
    "attemptId" in body
      ? await resendPhoneCode({ attemptId: body.attemptId, clientToken }, requestContext(request))
      : await sendPhoneCode(
          { ...body, redirectUrl: await redirectAfter(body.intent === "sign_up" ? "signUp" : "signIn", body.redirectUrl), clientToken },
          requestContext(request),
        );
  const response = json({ status: result.status, attemptId: result.attemptId, resendAfter: result.resendAfter });
  setClientCookie(response, request, result.newClientToken);
  return response;
});
