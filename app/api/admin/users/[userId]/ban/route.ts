import type { NextRequest } from "next/server";
import { z } from "zod";
import { banUser, parseUserIdParam } from "@/lib/admin";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";

const body = z.strictObject({});

/** Bans the user and ends every session they have (S8). Not yourself, not another admin. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, auth }) => {
    const { ip, userAgent } = requestContext(request);
    const { endedSessions } = await banUser({ userId: parseUserIdParam(userId) }, { actorId: auth.userId, ip, userAgent });
    return json({ status: "banned", endedSessions });
  })(request);
}
