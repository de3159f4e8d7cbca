import { z } from "zod";
import { handler, json, safeText } from "@/lib/http";
import { clearAuthCookies, requestContext, requireRequestAuth } from "@/lib/session";
import { deleteUser } from "@/lib/users";

const body = z.strictObject({ confirmation: safeText({ max: 320, label: "Confirmation" }) });

/** Deletes the signed-in user's account and personal data, ends every session, clears this browser's cookies (S7). */
export const POST = handler({ body }, async ({ request, body }) => {
  const auth = await requireRequestAuth(request);
  await deleteUser(
    { userId: auth.userId, sessionId: auth.sessionId, confirmation: body.confirmation },
    { ...requestContext(request), impersonatedBy: auth.actor?.sub ?? null },
  );
  const response = json({ status: "deleted", redirectUrl: "/sign-in" });
  clearAuthCookies(response, request);
  return response;
});
