import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { sendEmailAddressVerification } from "@/lib/verification";

const body = z.strictObject({ emailAddressId: idField("emailAddressId") });

/** A fresh code + link for an unverified address of the account (30 s cooldown, send budgets: S4, S10). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Email addresses");
  return json(
    await sendEmailAddressVerification({ userId: auth.userId, emailAddressId: body.emailAddressId }, { issuer: requestContext(request).issuer }),
  );
});
