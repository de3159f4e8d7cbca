import type { NextRequest } from "next/server";
import { z } from "zod";
import { parseUserIdParam } from "@/lib/admin";
import { handler, idField, json } from "@/lib/http";
import { removePasskey } from "@/lib/passkeys";
import { requestContext, requireAdminRequest } from "@/lib/session";

const body = z.strictObject({ passkeyId: idField("passkeyId") });

/** Removes one of the user's passkeys (S8: a lost or cloned authenticator); never their last way to sign in. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest, body }, async ({ request, body, auth }) => {
    const { ip, userAgent } = requestContext(request);
    await removePasskey({ userId: parseUserIdParam(userId), passkeyId: body.passkeyId }, { ip, userAgent, actorId: auth.userId });
    return json({ status: "removed" });
  })(request);
}
