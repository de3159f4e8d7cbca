import type { NextRequest } from "next/server";
import { z } from "zod";
import { handler, json, safeText } from "@/lib/http";
import { requireAdminRequest } from "@/lib/session";
import { DELIVERY_PAGE_MAX_LIMIT, listWebhookDeliveries, parseWebhookEndpointId } from "@/lib/webhooks";

const query = z.object({
  cursor: safeText({ max: 500, label: "Cursor" }).optional(),
  limit: z.coerce.number({ error: "Limit must be a number." }).int().min(1).max(DELIVERY_PAGE_MAX_LIMIT).optional(),
  status: z.enum(["pending", "sending", "sent", "failed"], { error: "Status is pending, sending, sent or failed." }).optional(),
});

/** The endpoint's delivery log (S9), newest first: `?cursor=&limit=&status=`; each with its payload and attempts. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest, query }, async ({ query }) => json(await listWebhookDeliveries(parseWebhookEndpointId(id), query)))(request);
}
