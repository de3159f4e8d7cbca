import { z } from "zod";
import { handler, json, safeText } from "@/lib/http";
import { requireRecentVerification, startSmsEnrolment } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

const body = z.strictObject({ phone: safeText({ max: 32, min: 1, label: "Phone number" }) });

/** Step 1 of codes by text message: the number gets a code. Needs a recent verification. */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  await requireRecentVerification(auth);
  return json(await startSmsEnrolment(auth.userId, body, requestContext(request)));
});
