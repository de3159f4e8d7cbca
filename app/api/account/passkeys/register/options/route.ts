import { z } from "zod";
import { handler, json } from "@/lib/http";
import { startPasskeyRegistration } from "@/lib/passkeys";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

/** Step 1 of adding a passkey: options for the browser. Needs a recent verification. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Passkeys");
  return json({ options: await startPasskeyRegistration(auth, requestContext(request)) });
});
