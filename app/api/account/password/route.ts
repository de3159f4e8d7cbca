import { z } from "zod";
import { handler, json, passwordField } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { changePassword } from "@/lib/users";

const body = z.strictObject({
  currentPassword: passwordField.optional(),
  newPassword: passwordField,
  signOutOtherDevices: z.boolean().default(true),
});

/** Change (or set) the password: with the current one, or after a recent verification (S3, S6). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Your password");
  return json(
    await changePassword(
      { userId: auth.userId, sessionId: auth.sessionId, ...body },
      requestContext(request),
    ),
  );
});
