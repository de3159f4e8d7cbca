import type { NextRequest } from "next/server";
import { z } from "zod";
import { handler, json } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { requireAdminRequest } from "@/lib/session";
import { parseWebhookEndpointId, revealWebhookSecret } from "@/lib/webhooks";

const body = z.strictObject({});

/**
 * Reveals the endpoint's signing secret (whsec_...) for the receiver's
 * configuration. A POST, so no cache or log keeps it; needs a recent
 * verification (step-up).
 */
export async function POST(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ auth }) => {
    await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    return json(await revealWebhookSecret(parseWebhookEndpointId(id)));
  })(request);
}
