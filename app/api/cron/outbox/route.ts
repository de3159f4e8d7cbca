import type { NextRequest } from "next/server";
import { handler, json } from "@/lib/http";
import { authorizeCron } from "@/lib/email";
import { drainAll } from "@/lib/background";

/**
 * Sends what is due in the queue: mail, SMS and webhooks, retries included
 * (S12). Vercel Cron calls GET with `Authorization: Bearer $CRON_SECRET`;
 * POST works the same for other schedulers. Keeps claiming batches for up to
 * 25 s; anything left waits for the next run.
 */
const run = handler({ caller: "bearer" }, async ({ request }) => {
  authorizeCron(request.headers.get("authorization"));
  return json(await drainAll({ limit: 100, maxDurationMs: 25_000 }));
});

export const GET = (request: NextRequest) => run(request);
export const POST = (request: NextRequest) => run(request);
export const dynamic = "force-dynamic";
