import { z } from "zod";
import { handler, json } from "@/lib/http";
import { regenerateBackupCodes, requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

/** A new set of 10 backup codes (shown once); the old set stops working. Needs a recent verification. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Backup codes");
  await requireRecentVerification(auth);
  return json(await regenerateBackupCodes(auth.userId, requestContext(request)));
});
