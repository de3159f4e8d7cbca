import { z } from "zod";
import { emailField, handler, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { addEmailAddress } from "@/lib/users";

const body = z.strictObject({ email: emailField });

/** Adds an address (unverified) and emails it a code + link; needs a recent verification (S6 step-up). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Email addresses");
  return json(await addEmailAddress({ userId: auth.userId, sessionId: auth.sessionId, email: body.email }, requestContext(request)));
});
