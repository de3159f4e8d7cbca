import { z } from "zod";
import { AppError } from "@/lib/errors";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireRequestAuth } from "@/lib/session";
import { setPrimaryEmailAddress } from "@/lib/users";

const body = z.strictObject({ emailAddressId: idField("emailAddressId") });

/** Makes a verified address the primary one; the old primary is told by email (S4). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireRequestAuth(request);
  if (auth.actor) throw new AppError("forbidden", "Email addresses cannot be changed while impersonating a user.");
  await setPrimaryEmailAddress({ userId: auth.userId, emailAddressId: body.emailAddressId }, requestContext(request));
  return json({ status: "primary" });
});
