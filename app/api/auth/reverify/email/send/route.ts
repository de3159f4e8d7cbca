import { z } from "zod";
import { handler, json } from "@/lib/http";
import { sendReverificationEmail } from "@/lib/mfa";
import { requestContext, requireRequestAuth } from "@/lib/session";

/** An emailed code for the "confirm it's you" prompt, for accounts with no password and no second factor. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  return json(await sendReverificationEmail({ sessionId: auth.sessionId, userId: auth.userId }, requestContext(request)));
});
