import { z } from "zod";
import { handler, json } from "@/lib/http";
import { sendReverificationEmail } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

/** An emailed code for the "confirm it's you" prompt, for accounts with no password and no second factor. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Security settings");
  return json(await sendReverificationEmail({ sessionId: auth.sessionId, userId: auth.userId }, requestContext(request)));
});
