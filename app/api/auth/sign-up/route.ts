import { z } from "zod";
import { emailField, handler, humanProofFields, json, nameField, passwordField, redirectUrlField, tokenField } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies, setClientCookie } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { signUpWithPassword } from "@/lib/sign-up";

const body = z.strictObject({
  email: emailField,
  password: passwordField,
  firstName: nameField,
  lastName: nameField,
  redirectUrl: redirectUrlField,
  /** An admin's invitation (S8), from /sign-up?invitation=... */
  invitation: tokenField.optional(),
  ...humanProofFields,
});

export const POST = handler({ body }, async ({ request, body }) => {
  const redirectUrl = await redirectAfter("signUp", body.redirectUrl);
  const result = await signUpWithPassword(
    { ...body, clientToken: readClientToken(request), redirectUrl },
    requestContext(request),
  );
  if (result.status === "needs_verification") {
    // Same answer for new and already-registered addresses (S10).
    const response = json({ status: result.status, attemptId: result.attemptId, resendAfter: result.resendAfter });
    setClientCookie(response, request, result.newClientToken);
    return response;
  }
  const response = json({ status: result.status, redirectUrl });
  setAuthCookies(response, request, result.session);
  return response;
});
