import { z } from "zod";
import { emailField, handler, humanProofFields, json, passwordField, phoneField, redirectUrlField, signInUsernameField } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies, setClientCookie } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { signInWithPassword } from "@/lib/sign-in";

/** The account by `email`, or by `username` or `phone` where those identifiers are on (issue 19): exactly one. */
const body = z
  .strictObject({
    email: emailField.optional(),
    username: signInUsernameField.optional(),
    phone: phoneField.optional(),
    password: passwordField,
    redirectUrl: redirectUrlField,
    ...humanProofFields,
  })
  .refine((value) => [value.email, value.username, value.phone].filter((given) => given !== undefined).length === 1, {
    message: "Enter your email address.",
    path: ["email"],
  });

export const POST = handler({ body }, async ({ request, body }) => {
  const redirectUrl = await redirectAfter("signIn", body.redirectUrl);
  const { email, username, phone, password, botSolution, honeypot } = body;
  const identifier = email !== undefined ? { email } : username !== undefined ? { username } : { phone: phone! };
  const result = await signInWithPassword(
    { ...identifier, password, botSolution, honeypot, clientToken: readClientToken(request), redirectUrl },
    requestContext(request),
  );
  if (result.status !== "complete") {
    const { newClientToken, ...challenge } = result;
    const response = json({ ...challenge, redirectUrl });
    setClientCookie(response, request, newClientToken);
    return response;
  }
  // The user id keys the browser's one-time "add a passkey" offer (S13) to this user on this device.
  const response = json({ status: result.status, redirectUrl, userId: result.session.userId });
  setAuthCookies(response, request, result.session);
  return response;
});
