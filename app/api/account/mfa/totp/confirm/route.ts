import { z } from "zod";
import { codeField, handler, idField, json } from "@/lib/http";
import { confirmTotpEnrolment } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

const body = z.strictObject({ factorId: idField("factorId"), code: codeField });

/** Step 2: a code from the app turns it on; the first factor also returns the backup codes (shown once). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  return json(await confirmTotpEnrolment(auth.userId, body, requestContext(request)));
});
