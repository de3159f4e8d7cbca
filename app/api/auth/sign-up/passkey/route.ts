import { z } from "zod";
import { emailField, handler, humanProofFields, json, nameField, redirectUrlField, tokenField } from "@/lib/http";
import { readClientToken, requestContext, setClientCookie } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { startPasskeySignUp } from "@/lib/sign-up";

const body = z.strictObject({
  email: emailField,
  firstName: nameField,
  lastName: nameField,
  redirectUrl: redirectUrlField,
  /** An admin's invitation (S8), from /sign-up?invitation=... */
  invitation: tokenField.optional(),
  ...humanProofFields,
});

/** Sign-up with a passkey instead of a password (S13), step 1: the emailed code and link (the address first). */
export const POST = handler({ body }, async ({ request, body }) => {
  const redirectUrl = await redirectAfter("signUp", body.redirectUrl);
  const result = await startPasskeySignUp({ ...body, clientToken: readClientToken(request), redirectUrl }, requestContext(request));
  // Same answer for new and already-registered addresses (S10).
  const response = json({ status: result.status, attemptId: result.attemptId, resendAfter: result.resendAfter });
  setClientCookie(response, request, result.newClientToken);
  return response;
});
