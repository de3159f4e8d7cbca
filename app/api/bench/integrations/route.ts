import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { benchRoutesEnabled } from "@/lib/bench";
import { db } from "@/lib/db";
import { assertSameOrigin, errorResponse, json } from "@/lib/http";
import { createJwtTemplate } from "@/lib/jwt-templates";
import { kickBackgroundWork } from "@/lib/background";
import { createWebhookEndpoint, emitWebhookEvent, exampleEventData, revealWebhookSecret } from "@/lib/webhooks";

export const dynamic = "force-dynamic";

const BENCH_ACTOR = { actorId: "bench", ip: null, userAgent: "bench" };

const body = z.discriminatedUnion("action", [
  z.object({ action: z.literal("endpoint"), url: z.string().url() }),
  z.object({ action: z.literal("emit"), count: z.number().int().min(1).max(10_000) }),
  z.object({ action: z.literal("template"), name: z.string().min(1).max(64) }),
]);

/**
 * POST /api/bench/integrations, for the benchmark's integration rows (issue 14):
 * `endpoint` subscribes a receiver (lib/webhooks createWebhookEndpoint) and
 * answers its secret; `emit` writes `count` user.updated events through the
 * real emit path (`emitWebhookEvent`, in one transaction) and kicks the drain;
 * `template` creates an instance-key JWT template. 404 unless AUTH_BENCH_ROUTES=1.
 */
export async function POST(request: NextRequest): Promise<Response> {
  try {
    // A state-changing route like any other: a cross-site page gets 403 first (S10).
    assertSameOrigin(request);
    if (!benchRoutesEnabled()) return NextResponse.json({ message: "Not found." }, { status: 404 });
    const input = body.parse(await request.json());
    if (input.action === "endpoint") {
      const endpoint = await createWebhookEndpoint({ url: input.url, events: [] }, BENCH_ACTOR);
      return json({ endpointId: endpoint.id, secret: (await revealWebhookSecret(endpoint.id)).secret });
    }
    if (input.action === "template") {
      const template = await createJwtTemplate(
        { name: input.name, claims: JSON.stringify({ email: "{{user.primary_email_address}}", role: "{{user.role}}", meta: "{{user.public_metadata}}" }) },
        BENCH_ACTOR,
      );
      return json({ templateId: template.id });
    }
    const data = exampleEventData("user.updated");
    // One transaction: no event is visible to a drain (the server's loop) before all are, so the
    // benchmark's delivery time starts at one commit.
    await db.$transaction(
      async (tx) => {
        for (let i = 0; i < input.count; i++) await emitWebhookEvent(tx, "user.updated", data);
      },
      { timeout: 120_000 },
    );
    kickBackgroundWork();
    // The event data too: the harness measures the receiver's capacity with the same events.
    return json({ emitted: input.count, data });
  } catch (error) {
    return errorResponse(error);
  }
}
