import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { renameSecurityKey } from "@/lib/mfa";
import { securityKeyNameField } from "@/lib/passkeys/schemas";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";

const body = z.strictObject({ securityKeyId: idField("securityKeyId"), name: securityKeyNameField });

export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Two-step verification");
  return json({ securityKey: await renameSecurityKey({ userId: auth.userId, ...body }, requestContext(request)) });
});
