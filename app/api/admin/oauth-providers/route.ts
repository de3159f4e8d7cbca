import { handler, json } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { listOAuthProvidersForAdmin, oauthProviderInput, saveOAuthProvider } from "@/lib/oauth";
import { requestContext, requireAdminRequest } from "@/lib/session";

/** The OAuth providers as the admin's settings page lists them (S5, S8); no secret ever leaves. */
export const GET = handler({ authorize: requireAdminRequest }, async () => json({ providers: await listOAuthProvidersForAdmin() }));

/** Saves one provider's credentials (the secret is encrypted; left out, the stored one stays). Needs a recent verification. */
export const POST = handler({ authorize: requireAdminRequest, body: oauthProviderInput }, async ({ request, body, auth }) => {
  await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
  const { ip, userAgent } = requestContext(request);
  await saveOAuthProvider(body, { actorId: auth.userId, ip, userAgent });
  return json({ providers: await listOAuthProvidersForAdmin() });
});
