import { z } from "zod";
import { handler, json } from "@/lib/http";
import { reverificationSecurityKeyOptions } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

/** "Confirm it's you" with a security key: the user's keys and a challenge for step-up. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Security settings");
  return json(await reverificationSecurityKeyOptions(auth, requestContext(request)));
});
