import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { removePasskey } from "@/lib/passkeys";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

const body = z.strictObject({ passkeyId: idField("passkeyId") });

/** Removes a passkey; never the last way to sign in. */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Passkeys");
  await removePasskey({ userId: auth.userId, passkeyId: body.passkeyId }, requestContext(request));
  return json({ status: "removed" });
});
