import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { removePhoneNumber } from "@/lib/users";

const body = z.strictObject({ phoneNumberId: idField("phoneNumberId") });

/** Removes a number: never the last way in, never the SMS second factor's (S7). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Phone numbers");
  await removePhoneNumber({ userId: auth.userId, phoneNumberId: body.phoneNumberId }, requestContext(request));
  return json({ status: "removed" });
});
