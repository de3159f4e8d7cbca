import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { removeEmailAddress } from "@/lib/users";

const body = z.strictObject({ emailAddressId: idField("emailAddressId") });

/** Removes an address: never the primary, never the last verified one (S7). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Email addresses");
  await removeEmailAddress({ userId: auth.userId, emailAddressId: body.emailAddressId }, requestContext(request));
  return json({ status: "removed" });
});
