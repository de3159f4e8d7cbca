import type { NextRequest } from "next/server";
import { z } from "zod";
import { adminDeleteUser, parseUserIdParam } from "@/lib/admin";
import { handler, json, safeText } from "@/lib/http";
import { requireRecentVerification } from "@/lib/mfa";
import { requestContext, requireAdminRequest } from "@/lib/session";

const body = z.strictObject({ confirmation: safeText({ max: 320, min: 1, label: "Confirmation" }) });

/**
 * Deletes the user and their data (S8). The admin confirms with the user's
 * primary email or id, and must have verified recently (step-up: 403
 * reverification_required otherwise, which the page answers with its prompt).
 */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, body, auth }) => {
    await requireRecentVerification({ sessionId: auth.sessionId, userId: auth.userId });
    const { ip, userAgent } = requestContext(request);
    await adminDeleteUser({ userId: parseUserIdParam(userId), confirmation: body.confirmation }, { actorId: auth.userId, ip, userAgent });
    return json({ status: "deleted", redirectUrl: "/admin/users" });
  })(request);
}
