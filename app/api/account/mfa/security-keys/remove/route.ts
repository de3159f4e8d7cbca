import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { removeSecurityKey } from "@/lib/mfa";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

const body = z.strictObject({ securityKeyId: idField("securityKeyId") });

/** Removes a security key (needs a recent verification); the last factor turns two-step verification off. */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  return json(await removeSecurityKey(auth, body, requestContext(request)));
});
