import { z } from "zod";
import { handler, json, phoneField } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { addPhoneNumber } from "@/lib/users";

const body = z.strictObject({ phone: phoneField });

/** Adds a number (unverified) and texts it a code; needs phone numbers on and a recent verification (S6 step-up). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Phone numbers");
  return json(await addPhoneNumber({ userId: auth.userId, sessionId: auth.sessionId, phone: body.phone }, requestContext(request)));
});
