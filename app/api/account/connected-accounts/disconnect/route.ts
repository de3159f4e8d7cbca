import { z } from "zod";
import { AppError } from "@/lib/errors";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireRequestAuth } from "@/lib/session";
import { disconnectExternalAccount } from "@/lib/sign-in";

const body = z.strictObject({ externalAccountId: idField("externalAccountId") });

/** Disconnects a provider from the signed-in user (S5, S7); never their last way to sign in. */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireRequestAuth(request);
  if (auth.actor) throw new AppError("forbidden", "Connected accounts cannot be changed while impersonating a user.");
  await disconnectExternalAccount({ userId: auth.userId, externalAccountId: body.externalAccountId }, requestContext(request));
  return json({ status: "disconnected" });
});
