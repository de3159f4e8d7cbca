import { z } from "zod";
import { handler, json } from "@/lib/http";
import { finishPasskeyRegistration } from "@/lib/passkeys";
import { passkeyNameField, registrationResponseSchema } from "@/lib/passkeys/schemas";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

const body = z.strictObject({ response: registrationResponseSchema, name: passkeyNameField.optional() });

/** Step 2: the authenticator's answer; the passkey is stored (public key only). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Passkeys");
  return json({ passkey: await finishPasskeyRegistration(auth, body, requestContext(request)) });
});
