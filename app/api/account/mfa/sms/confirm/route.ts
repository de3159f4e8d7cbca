import { z } from "zod";
import { codeField, handler, json } from "@/lib/http";
import { confirmSmsEnrolment } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

/** Step 2: the code from the text message verifies the number and turns the factor on. */
export const POST = handler({ body: z.strictObject({ code: codeField }) }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  return json(await confirmSmsEnrolment(auth.userId, body, requestContext(request)));
});
