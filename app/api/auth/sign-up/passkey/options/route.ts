import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { readClientToken, requestContext } from "@/lib/session";
import { passkeySignUpOptions } from "@/lib/sign-up";

const body = z.strictObject({ attemptId: idField("attemptId") });

/** Passkey sign-up (S13), after the email is verified: options for the browser to create the passkey. */
export const POST = handler({ body }, async ({ request, body }) => {
  const options = await passkeySignUpOptions({ attemptId: body.attemptId, clientToken: readClientToken(request) }, requestContext(request));
  return json({ options });
});
