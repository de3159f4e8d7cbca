import { handler, json } from "@/lib/http";
import { carriesSecret, createJwtTemplate, jwtTemplateInput, listJwtTemplates } from "@/lib/jwt-templates";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";

/** JWT templates (S9) as the admin console lists them; secrets never leave. */
export const GET = handler({ authorize: requireAdminRequest }, async () => json({ templates: await listJwtTemplates() }));

/** Creates a template; one carrying a secret or private key needs a recent verification. */
export const POST = handler({ authorize: requireAdminRequest, body: jwtTemplateInput, maxBodyBytes: 64 * 1024 }, async ({ request, body, auth }) => {
  if (carriesSecret(body.signing)) await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
  const { ip, userAgent } = requestContext(request);
  const template = await createJwtTemplate(body, { actorId: auth.userId, ip, userAgent });
  return json({ template }, { status: 201 });
});
