import type { NextRequest } from "next/server";
import { z } from "zod";
import { parseUserIdParam, revokeAllUserSessions, revokeUserSession } from "@/lib/admin";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";

const body = z.union([z.strictObject({ sessionId: idField("sessionId") }), z.strictObject({ all: z.literal(true) })], {
  error: 'Send { "sessionId": "sess_..." } or { "all": true }.',
});

/** Signs one of the user's sessions out, or all of them (S8). Another user's session is 404. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, body, auth }) => {
    const { ip, userAgent } = requestContext(request);
    const actor = { actorId: auth.userId, ip, userAgent };
    const target = parseUserIdParam(userId);
    if ("all" in body) return json({ status: "signed_out", ...(await revokeAllUserSessions({ userId: target }, actor)) });
    await revokeUserSession({ userId: target, sessionId: body.sessionId }, actor);
    return json({ status: "signed_out", revoked: 1 });
  })(request);
}
