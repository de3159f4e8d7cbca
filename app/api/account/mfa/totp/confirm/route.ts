import { z } from "zod";
import { codeField, handler, idField, json } from "@/lib/http";
import { confirmTotpEnrolment } from "@/lib/mfa";
import { requestContext, requireRequestAuth } from "@/lib/session";

const body = z.strictObject({ factorId: idField("factorId"), code: codeField });

/** Step 2: a code from the app turns it on; the first factor also returns the backup codes (shown once). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireRequestAuth(request);
  return json(await confirmTotpEnrolment(auth.userId, body, requestContext(request)));
});
