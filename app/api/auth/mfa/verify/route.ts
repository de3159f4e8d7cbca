import { z } from "zod";
import { handler, idField, json, safeText } from "@/lib/http";
import { verifySecondFactor } from "@/lib/mfa";
import { authenticationResponseSchema } from "@/lib/passkeys/schemas";
import { readClientToken, requestContext, setAuthCookies } from "@/lib/session";
import { redirectAfter } from "@/lib/settings";

const body = z.discriminatedUnion(
  "method",
  [
    z.strictObject({
      attemptId: idField("attemptId"),
      method: z.enum(["totp", "backup_code", "sms"]),
      code: safeText({ max: 32, min: 1, label: "Code" }),
    }),
    // A security key's signed challenge (options from /api/auth/mfa/security-key/options).
    z.strictObject({ attemptId: idField("attemptId"), method: z.literal("security_key"), response: authenticationResponseSchema }),
  ],
  { error: "Choose how to verify." },
);

/** The second factor of a sign-in attempt (S6): the code or security key completes it in the browser that started it. */
export const POST = handler({ body }, async ({ request, body }) => {
  const result = await verifySecondFactor({ ...body, clientToken: readClientToken(request) }, requestContext(request));
  const response = json({ status: result.status, redirectUrl: result.redirectUrl ?? (await redirectAfter("signIn", null)) });
  setAuthCookies(response, request, result.session);
  return response;
});
