import type { NextRequest } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { handler, idField, json } from "@/lib/http";
import { deleteJwtTemplate } from "@/lib/jwt-templates";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";

/** Deletes a template (needs a recent verification): apps asking for it get 404 from then on. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ templateId: string }> }) {
  const { templateId } = await params;
  return handler({ authorize: requireAdminRequest, body: z.strictObject({}) }, async ({ request, auth }) => {
    const id = idField("Template id").safeParse(templateId);
    if (!id.success) throw new AppError("not_found", "No such JWT template.");
    await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    const { ip, userAgent } = requestContext(request);
    await deleteJwtTemplate(id.data, { actorId: auth.userId, ip, userAgent });
    return json({ deleted: true });
  })(request);
}
