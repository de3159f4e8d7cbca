import { z } from "zod";
import { handler, json } from "@/lib/http";
import { sendReverificationSms } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

/** A text-message code for the "confirm it's you" prompt. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Security settings");
  return json(await sendReverificationSms({ sessionId: auth.sessionId, userId: auth.userId }, requestContext(request)));
});
