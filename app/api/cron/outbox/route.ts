import type { NextRequest } from "next/server";
import { handler, json } from "@/lib/http";
import { authorizeCron, drainOutbox } from "@/lib/email";

/**
 * Sends due outbox mail (S12). Vercel Cron calls GET with
 * `Authorization: Bearer $CRON_SECRET`; POST works the same for other schedulers.
 */
const run = handler({ caller: "bearer" }, async ({ request }) => {
  authorizeCron(request.headers.get("authorization"));
  return json(await drainOutbox({ limit: 100 }));
});

export const GET = (request: NextRequest) => run(request);
export const POST = (request: NextRequest) => run(request);
export const dynamic = "force-dynamic";
