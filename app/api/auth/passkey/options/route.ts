import { z } from "zod";
import { handler, json, redirectUrlField } from "@/lib/http";
import { readClientToken, requestContext, setClientCookie } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";
import { startPasskeySignIn } from "@/lib/sign-in";

const body = z.strictObject({ redirectUrl: redirectUrlField });

/** Step 1 of signing in with a passkey (S7): a sign-in attempt for this browser and its challenge. */
export const POST = handler({ body }, async ({ request, body }) => {
  const redirectUrl = await redirectAfter("signIn", body.redirectUrl);
  const { newClientToken, ...started } = await startPasskeySignIn({ clientToken: readClientToken(request), redirectUrl }, requestContext(request));
  const response = json(started);
  setClientCookie(response, request, newClientToken);
  return response;
});
