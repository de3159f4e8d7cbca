import type { NextRequest } from "next/server";
import { z } from "zod";
import { parseUserIdParam, unlockUser } from "@/lib/admin";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";

const body = z.strictObject({});

/** Lifts a lockout and gives a fresh sign-in budget (S8, S10). */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, auth }) => {
    const { ip, userAgent } = requestContext(request);
    const { wasLocked } = await unlockUser(parseUserIdParam(userId), { actorId: auth.userId, ip, userAgent });
    return json({ status: "unlocked", wasLocked });
  })(request);
}
