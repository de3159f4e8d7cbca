import { z } from "zod";
import { emailField, handler, humanProofFields, json, passwordField, redirectUrlField } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies, setClientCookie } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { signInWithPassword } from "@/lib/sign-in";

const body = z.strictObject({
  email: emailField,
  password: passwordField,
  redirectUrl: redirectUrlField,
  ...humanProofFields,
});

export const POST = handler({ body }, async ({ request, body }) => {
  const redirectUrl = await redirectAfter("signIn", body.redirectUrl);
  const result = await signInWithPassword(
    { ...body, clientToken: readClientToken(request), redirectUrl },
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
