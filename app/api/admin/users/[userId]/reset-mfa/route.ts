import type { NextRequest } from "next/server";
import { z } from "zod";
import { parseUserIdParam, resetUserMfa } from "@/lib/admin";
import { handler, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";

const body = z.strictObject({});

/** Removes the user's second factors and backup codes (S8): for a lost device. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, auth }) => {
    const { ip, userAgent } = requestContext(request);
    await resetUserMfa({ userId: parseUserIdParam(userId) }, { actorId: auth.userId, ip, userAgent });
    return json({ status: "mfa_reset" });
  })(request);
}
