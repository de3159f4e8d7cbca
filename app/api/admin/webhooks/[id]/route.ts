import type { NextRequest } from "next/server";
import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { getWebhookEndpoint, parseWebhookEndpointId, updateWebhookEndpoint, webhookEndpointFields } from "@/lib/webhooks";

type Params = { params: Promise<{ id: string }> };

/** One endpoint (S9): URL, filter, status, last delivery, when a rotated-out secret stops signing. */
export async function GET(request: NextRequest, { params }: Params) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest }, async () => json({ endpoint: await getWebhookEndpoint(parseWebhookEndpointId(id)) }))(request);
}

const body = z.strictObject({
  url: webhookEndpointFields.url.optional(),
  description: webhookEndpointFields.description,
  events: webhookEndpointFields.events,
});

/** Edits the URL, description and/or event filter (on/off: ./enable, ./disable). */
export async function PATCH(request: NextRequest, { params }: Params) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, body, auth }) => {
    const { ip, userAgent } = requestContext(request);
    return json({ endpoint: await updateWebhookEndpoint(parseWebhookEndpointId(id), body, { actorId: auth.userId, ip, userAgent }) });
  })(request);
}
