import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { setPrimaryPhoneNumber } from "@/lib/users";

const body = z.strictObject({ phoneNumberId: idField("phoneNumberId") });

/** Makes a verified number the primary one. */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Phone numbers");
  await setPrimaryPhoneNumber({ userId: auth.userId, phoneNumberId: body.phoneNumberId }, requestContext(request));
  return json({ status: "primary" });
});
