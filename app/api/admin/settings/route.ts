import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { readAdminSettings, updateAdminSettings } from "@/lib/settings";

/** The instance settings for the admin console (S8), with their version; never an OAuth client secret. */
export const GET = handler({ authorize: requireAdminRequest }, async () => json(await readAdminSettings()));

/**
 * `{ version, ...partial settings }`: the settings the admin changed, based on
 * the version they read (a stale one answers 409). Each field is validated by
 * the domain (400 with field errors, nothing written). Needs a recent
 * verification (step-up): these settings decide who gets in.
 */
const body = z.looseObject({
  version: z.number({ error: "Send the version of the settings you read." }).int().min(0),
});

export const PATCH = handler(
  // Room for two full allowlists/blocklists (1000 entries each).
  { authorize: requireAdminRequest, body, maxBodyBytes: 640 * 1024 },
  async ({ request, body, auth }) => {
    await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    const { version, ...patch } = body;
    const { ip, userAgent } = requestContext(request);
    return json(await updateAdminSettings(patch, { expectedVersion: version, actorId: auth.userId, ip, userAgent }));
  },
);
