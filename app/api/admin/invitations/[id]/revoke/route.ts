import type { NextRequest } from "next/server";
import { AppError } from "@/lib/errors";
import { handler, idField, json } from "@/lib/http";
import { requestContext, requireAdminRequest } from "@/lib/session";
import { revokeInvitation } from "@/lib/users";

const invitationIdParam = idField("id");

/** Withdraws a pending invitation (S8): its link stops working at once. */
export async function POST(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return handler({ authorize: requireAdminRequest }, async ({ request, auth }) => {
    const parsed = invitationIdParam.safeParse(id);
    if (!parsed.success) throw new AppError("not_found", "This invitation does not exist.");
    const { ip, userAgent } = requestContext(request);
    return json({ invitation: await revokeInvitation(parsed.data, { actorId: auth.userId, ip, userAgent }) });
  })(request);
}
