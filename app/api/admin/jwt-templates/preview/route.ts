import { handler, json } from "@/lib/http";
import { jwtTemplatePreviewInput, previewTemplate } from "@/lib/jwt-templates";
import { requestContext, requireAdminRequest } from "@/lib/session";

/** The editor's live preview: claims as typed, rendered for one user, nothing saved. */
export const POST = handler({ authorize: requireAdminRequest, body: jwtTemplatePreviewInput, maxBodyBytes: 64 * 1024 }, async ({ request, body }) =>
  json({ preview: await previewTemplate(body, { issuer: requestContext(request).issuer }) }),
);
