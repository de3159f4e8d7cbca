import { z } from "zod";
import { codeField, handler, idField, json } from "@/lib/http";
import { requireOwnRequestAuth } from "@/lib/session";
import { verifyEmailAddressCode } from "@/lib/verification";

const body = z.strictObject({ emailAddressId: idField("emailAddressId"), code: codeField });

/** The code from the email sent to an added address (S4); the link works through /sign-in/confirm. */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Email addresses");
  await verifyEmailAddressCode({ userId: auth.userId, emailAddressId: body.emailAddressId, code: body.code });
  return json({ status: "verified" });
});
