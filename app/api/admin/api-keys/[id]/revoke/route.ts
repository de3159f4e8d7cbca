import type { NextRequest } from "next/server";
import { revokeApiKey } from "@/lib/api-keys";
import { AppError } from "@/lib/errors";
import { handler, idField, json } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";

const apiKeyIdParam = idField("id");

/** Revokes a secret key (S9, step-up): the next request with it gets 401. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest }, async ({ request, auth }) => {
    const parsed = apiKeyIdParam.safeParse(id);
    if (!parsed.success) throw new AppError("not_found", "This API key does not exist.");
    await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    const { ip, userAgent } = requestContext(request);
    return json({ apiKey: await revokeApiKey(parsed.data, { actorId: auth.userId, ip, userAgent }) });
  })(request);
}
