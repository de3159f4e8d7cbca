import { z } from "zod";
import { handler, json, passwordField, safeText } from "@/lib/http";
import { reverificationMethods, reverify } from "@/lib/mfa";
import { authenticationResponseSchema } from "@/lib/passkeys/schemas";
import { requestContext, requireOwnRequestAuth, requireRequestAuth } from "@/lib/session";

/** What the "confirm it's you" prompt can offer this user (S6 step-up). */
export const GET = handler({}, async ({ request }) => {
  const auth = await requireRequestAuth(request);
  return json(await reverificationMethods(auth.userId));
});

const body = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("password"), password: passwordField }),
  z.strictObject({ method: z.enum(["totp", "backup_code", "sms", "email_code"]), code: safeText({ max: 32, min: 1, label: "Code" }) }),
  z.strictObject({ method: z.literal("security_key"), response: authenticationResponseSchema }),
]);

/** Proves it is still the user: sensitive actions are allowed for the next 10 minutes. */
export const POST = handler({ body }, async ({ request, body }) => {
  // An impersonating admin proves nothing about the user (and must not guess their password here).
  const auth = await requireOwnRequestAuth(request, "Security settings");
  return json(await reverify({ sessionId: auth.sessionId, userId: auth.userId }, body, requestContext(request)));
});
