import { z } from "zod";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireOwnRequestAuth } from "@/lib/session";
import { disconnectExternalAccount } from "@/lib/sign-in";

const body = z.strictObject({ externalAccountId: idField("externalAccountId") });

/** Disconnects a provider from the signed-in user (S5, S7); never their last way to sign in. */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireOwnRequestAuth(request, "Connected accounts");
  await disconnectExternalAccount({ userId: auth.userId, externalAccountId: body.externalAccountId }, requestContext(request));
  return json({ status: "disconnected" });
});
