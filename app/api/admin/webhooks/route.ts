import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { createWebhookEndpoint, listWebhookEndpoints, webhookEndpointFields } from "@/lib/webhooks";

/** Webhook endpoints (S9), oldest first, with status and last delivery; never their secrets. */
export const GET = handler({ authorize: requireAdminRequest }, async () => json({ endpoints: await listWebhookEndpoints() }));

const body = z.strictObject({
  url: webhookEndpointFields.url,
  description: webhookEndpointFields.description,
  events: webhookEndpointFields.events,
});

/** Adds an endpoint with a new signing secret (reveal it on the endpoint's page). The URL must be public in production (SSRF). */
export const POST = handler({ authorize: requireAdminRequest, body }, async ({ request, body, auth }) => {
  const { ip, userAgent } = requestContext(request);
  const endpoint = await createWebhookEndpoint(body, { actorId: auth.userId, ip, userAgent });
  return json({ endpoint }, { status: 201 });
});
