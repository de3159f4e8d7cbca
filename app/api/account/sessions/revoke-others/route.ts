import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth, signOutOtherDevices } from "@/lib/session";

/** "Sign out of all other devices": this one stays signed in. */
export const POST = handler({ body: z.strictObject({}) }, async ({ request }) => {
  const auth = await requireOwnRequestAuth(request, "Signed-in devices");
  return json(await signOutOtherDevices({ userId: auth.userId, currentSessionId: auth.sessionId }, requestContext(request)));
});
