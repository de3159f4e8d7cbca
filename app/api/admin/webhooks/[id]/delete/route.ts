import type { NextRequest } from "next/server";
import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { deleteWebhookEndpoint, parseWebhookEndpointId } from "@/lib/webhooks";

const body = z.strictObject({});

/** Deletes the endpoint and its delivery log (S9). Dangerous: needs a recent verification (step-up). */
export async function POST(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, auth }) => {
    await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    const { ip, userAgent } = requestContext(request);
    await deleteWebhookEndpoint(parseWebhookEndpointId(id), { actorId: auth.userId, ip, userAgent });
    return json({ status: "deleted", redirectUrl: "/admin/webhooks" });
  })(request);
}
