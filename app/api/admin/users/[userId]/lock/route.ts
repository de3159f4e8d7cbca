import type { NextRequest } from "next/server";
import { z } from "zod";
import { lockUser, MAX_LOCK_MINUTES, parseUserIdParam } from "@/lib/admin";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";

const body = z.strictObject({
  minutes: z
    .number({ error: "Minutes must be a number." })
    .int("Minutes must be a whole number.")
    .min(1, "Lock for at least a minute.")
    .max(MAX_LOCK_MINUTES, `Lock for at most ${MAX_LOCK_MINUTES} minutes.`)
    .optional(),
});

/** Locks password sign-in from new browsers for `minutes` (default 60) (S8, S10). */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, body, auth }) => {
    const { ip, userAgent } = requestContext(request);
    const { lockedUntil } = await lockUser({ userId: parseUserIdParam(userId), minutes: body.minutes }, { actorId: auth.userId, ip, userAgent });
    return json({ status: "locked", lockedUntil });
  })(request);
}
