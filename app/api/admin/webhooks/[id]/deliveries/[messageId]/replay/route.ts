import type { NextRequest } from "next/server";
import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requireAdminRequest } from "@/lib/session";
import { parseWebhookEndpointId, replayWebhookDelivery } from "@/lib/webhooks";

const body = z.strictObject({});

/** "Replay" (S9): the delivery is queued again with the same svix-id and payload; answers the new row's id. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ id: string; messageId: string }> }) {
  const { id, messageId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async () => {
    return json(await replayWebhookDelivery(parseWebhookEndpointId(id), messageId), { status: 202 });
  })(request);
}
