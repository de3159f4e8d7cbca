import type { NextRequest } from "next/server";
import { z } from "zod";
import { parseUserIdParam, unbanUser } from "@/lib/admin";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";

const body = z.strictObject({});

/** Lifts a ban (S8). */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, auth }) => {
    const { ip, userAgent } = requestContext(request);
    const { wasBanned } = await unbanUser({ userId: parseUserIdParam(userId) }, { actorId: auth.userId, ip, userAgent });
    return json({ status: "unbanned", wasBanned });
  })(request);
}
