import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { setPrimaryEmailAddress } from "@/lib/users";

const body = z.strictObject({ emailAddressId: idField("emailAddressId") });

/** Makes a verified address the primary one; the old primary is told by email (S4). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Email addresses");
  await setPrimaryEmailAddress({ userId: auth.userId, emailAddressId: body.emailAddressId }, requestContext(request));
  return json({ status: "primary" });
});
