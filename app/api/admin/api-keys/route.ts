import { z } from "zod";
import { API_KEY_NAME_MAX_LENGTH, createApiKey, listApiKeys } from "@/lib/api-keys";
import { handler, json, safeText } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";

/** Backend API secret keys (S9), newest first; never the keys themselves. */
export const GET = handler({ authorize: requireAdminRequest }, async () => json({ apiKeys: await listApiKeys() }));

const body = z.strictObject({ name: safeText({ max: API_KEY_NAME_MAX_LENGTH, min: 1, label: "Name" }) });

/** Makes a key: a dangerous action (step-up). The full key is in this response only. */
export const POST = handler({ authorize: requireAdminRequest, body }, async ({ request, body, auth }) => {
  await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
  const { ip, userAgent } = requestContext(request);
  const { apiKey, secret } = await createApiKey(body, { actorId: auth.userId, ip, userAgent });
  return json({ apiKey, secret }, { status: 201 });
});
