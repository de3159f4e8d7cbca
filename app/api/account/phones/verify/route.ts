import { z } from "zod";
import { handler, idField, json, smsCodeField } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { verifyPhoneNumber } from "@/lib/users";

const body = z.strictObject({ phoneNumberId: idField("phoneNumberId"), code: smsCodeField });

/** The code from the text sent to an added number: it becomes a way to sign in. */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Phone numbers");
  const phoneNumber = await verifyPhoneNumber({ userId: auth.userId, phoneNumberId: body.phoneNumberId, code: body.code }, requestContext(request));
  return json({ status: "verified", phoneNumber });
});
