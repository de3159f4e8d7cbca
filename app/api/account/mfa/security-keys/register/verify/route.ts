import { z } from "zod";
import { handler, json } from "@/lib/http";
import { finishSecurityKeyRegistration } from "@/lib/mfa";
import { registrationResponseSchema, securityKeyNameField } from "@/lib/passkeys/schemas";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

const body = z.strictObject({ response: registrationResponseSchema, name: securityKeyNameField.optional() });

/** Step 2: the key's answer; stored as a second factor. The first factor also returns the backup codes (shown once). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  return json(await finishSecurityKeyRegistration(auth, body, requestContext(request)));
});
