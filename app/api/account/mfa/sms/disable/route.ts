import { z } from "zod";
import { handler, json } from "@/lib/http";
import { disableSms, requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  await requireRecentVerification(auth);
  await disableSms(auth.userId, requestContext(request));
  return json({ status: "disabled" });
});
