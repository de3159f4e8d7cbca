import type { NextRequest } from "next/server";
import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requireAdminRequest } from "@/lib/session";
import { WEBHOOK_EVENT_TYPES, parseWebhookEndpointId, sendExampleEvent } from "@/lib/webhooks";

const body = z.strictObject({
  type: z.enum(WEBHOOK_EVENT_TYPES, { error: `Choose an event type: ${WEBHOOK_EVENT_TYPES.join(", ")}.` }),
});

/** "Send example" (S9): one example event of `type` to this endpoint only, whatever its filter; delivered at once. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ body }) => {
    return json({ messageId: await sendExampleEvent(parseWebhookEndpointId(id), body.type) }, { status: 202 });
  })(request);
}
