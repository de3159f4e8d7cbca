import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { handler, idField, json } from "@/lib/http";
import { carriesSecret, getJwtTemplate, jwtTemplateInput, updateJwtTemplate } from "@/lib/jwt-templates";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";

type Params = { params: Promise<{ templateId: string }> };

/** An id that cannot be one of ours is simply not there (404, never a 500). */
async function templateIdOf({ params }: Params): Promise<string> {
  const { templateId } = await params;
  const parsed = idField("Template id").safeParse(templateId);
  if (!parsed.success) throw new AppError("not_found", "No such JWT template.");
  return parsed.data;
}

/** One template (S9). */
export async function GET(request: NextRequest, context: Params) {
  return handler({ authorize: requireAdminRequest }, async () => {
    const template = await getJwtTemplate(await templateIdOf(context));
    if (!template) throw new AppError("not_found", "No such JWT template.");
    return json({ template });
  })(request);
}

/** Saves a template's settings; a new secret or private key needs a recent verification. */
export async function PATCH(request: NextRequest, context: Params) {
  return handler({ authorize: requireAdminRequest, body: jwtTemplateInput, maxBodyBytes: 64 * 1024 }, async ({ request, body, auth }) => {
    const id = await templateIdOf(context);
    if (carriesSecret(body.signing)) await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    const { ip, userAgent } = requestContext(request);
    return json({ template: await updateJwtTemplate(id, body, { actorId: auth.userId, ip, userAgent }) });
  })(request);
}
