import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { sendPhoneNumberCode } from "@/lib/users";

const body = z.strictObject({ phoneNumberId: idField("phoneNumberId") });

/** A fresh code for an unverified number of the account (30 s cooldown, send budgets: S4, S10). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Phone numbers");
  return json(await sendPhoneNumberCode({ userId: auth.userId, phoneNumberId: body.phoneNumberId }, requestContext(request)));
});
