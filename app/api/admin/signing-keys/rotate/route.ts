import { handler, json } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest, rotateSigningKey } from "@/lib/session";

/** Rotates the instance's signing key (S2, S8): a dangerous action, so it needs a recent verification. */
export const POST = handler({ authorize: requireAdminRequest }, async ({ request, auth }) => {
  await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
  const { ip, userAgent } = requestContext(request);
  const { kid } = await rotateSigningKey({ actorId: auth.userId, ip, userAgent });
  return json({ kid });
});
