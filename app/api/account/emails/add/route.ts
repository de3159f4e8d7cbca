import { z } from "zod";
import { AppError } from "@/lib/errors";
import { emailField, handler, json } from "@/lib/http";
import { requestContext, requireRequestAuth } from "@/lib/session";
import { addEmailAddress } from "@/lib/users";

const body = z.strictObject({ email: emailField });

/** Adds an address (unverified) and emails it a code + link; needs a recent verification (S6 step-up). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireRequestAuth(request);
  if (auth.actor) throw new AppError("forbidden", "Email addresses cannot be changed while impersonating a user.");
  return json(await addEmailAddress({ userId: auth.userId, sessionId: auth.sessionId, email: body.email }, requestContext(request)));
});
