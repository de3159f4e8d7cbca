import { apiHandler, mintTemplateTokenFromApi, V1 } from "@/lib/api";
import { requestContext } from "@/lib/session";

/** POST /api/v1/sessions/{session_id}/tokens/{template_name}: a JWT template token for an active session (S9). */
export const POST = apiHandler(V1.createSessionTokenFromTemplate, async ({ request, params }) =>
  mintTemplateTokenFromApi({ sessionId: params.session_id, templateName: params.template_name, issuer: requestContext(request).issuer }),
);
