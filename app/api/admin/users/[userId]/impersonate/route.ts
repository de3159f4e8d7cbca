import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { handler, idField, json } from "@/lib/http";
import { readClientToken, requestContext, requireAdminRequest, setAuthCookies } from "@/lib/session";
import { startImpersonation } from "@/lib/sign-in";

const userIdParam = idField("userId");

/**
 * Starts impersonating a user (S8): needs an admin and a recent verification
 * (step-up). The browser's session and client cookies now carry the
 * impersonation; the page then navigates to `redirectUrl`.
 */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest }, async ({ request, auth }) => {
    const target = userIdParam.safeParse(userId);
    if (!target.success) throw new AppError("not_found", "This user does not exist.");
    const started = await startImpersonation(
      { adminId: auth.userId, adminSessionId: auth.sessionId, targetUserId: target.data, clientToken: readClientToken(request) },
      requestContext(request),
    );
    const response = json({ status: "impersonating", userId: started.userId, expiresAt: started.sessionExpiresAt.toISOString(), redirectUrl: started.redirectUrl });
    setAuthCookies(response, request, {
      sessionToken: started.sessionToken,
      newClientToken: started.newClientToken,
      clientCookieMaxAgeSeconds: started.clientCookieMaxAgeSeconds,
    });
    return response;
  })(request);
}
