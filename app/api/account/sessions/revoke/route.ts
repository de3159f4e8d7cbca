import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth, signOutDevice } from "@/lib/session";

const body = z.strictObject({ sessionId: idField("sessionId") });

/** Signs another of the user's devices out; anyone else's session id is "not found" (404). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Signed-in devices");
  await signOutDevice({ userId: auth.userId, currentSessionId: auth.sessionId, sessionId: body.sessionId }, requestContext(request));
  return json({ status: "signed_out" });
});
