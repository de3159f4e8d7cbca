import { z } from "zod";
import { handler, json } from "@/lib/http";
import { startSecurityKeyRegistration } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

/** Step 1 of adding a security key: options for the browser. Needs a recent verification. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  return json({ options: await startSecurityKeyRegistration(auth, requestContext(request)) });
});
