import type { NextRequest } from "next/server";
import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { parseWebhookEndpointId, rotateWebhookSecret } from "@/lib/webhooks";

const body = z.strictObject({});

/**
 * A new signing secret (S9), returned once; the old one keeps signing beside
 * it for 24 hours so the receiver can switch. Needs a recent verification.
 */
export async function POST(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, auth }) => {
    await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    const { ip, userAgent } = requestContext(request);
    return json(await rotateWebhookSecret(parseWebhookEndpointId(id), { actorId: auth.userId, ip, userAgent }));
  })(request);
}
