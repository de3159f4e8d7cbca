import type { NextRequest } from "next/server";
import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { enableWebhookEndpoint, parseWebhookEndpointId } from "@/lib/webhooks";

const body = z.strictObject({});

/** Turns the endpoint on, also after the circuit paused it (failures are counted afresh). */
export async function POST(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, auth }) => {
    const { ip, userAgent } = requestContext(request);
    return json({ endpoint: await enableWebhookEndpoint(parseWebhookEndpointId(id), { actorId: auth.userId, ip, userAgent }) });
  })(request);
}
