import { z } from "zod";
import { handler, json, passwordField, tokenField } from "@/lib/http";
import { readClientToken, requestContext, setAuthCookies, setClientCookie } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { completePasswordReset } from "@/lib/sign-in";

const body = z.strictObject({
  token: tokenField,
  password: passwordField,
  signOutOtherDevices: z.boolean().default(true),
});

export const POST = handler({ body }, async ({ request, body }) => {
  const result = await completePasswordReset(
    { ...body, clientToken: readClientToken(request) },
    requestContext(request),
  );
  if (result.status !== "complete") {
    const { newClientToken, ...challenge } = result;
    const response = json(challenge);
    setClientCookie(response, request, newClientToken);
    return response;
  }
  const response = json({ status: result.status, redirectUrl: await redirectAfter("signIn", null) });
  setAuthCookies(response, request, result.session);
  return response;
});
