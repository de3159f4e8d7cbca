import type { NextRequest } from "next/server";
import { getAdminUserDetail, parseUserIdParam } from "@/lib/admin";
import { AppError } from "@/lib/errors";
import { handler, json } from "@/lib/http";
import { requireAdminRequest } from "@/lib/session";

/** One user with identifiers, sessions, factors and all metadata (S8); 404 when there is none. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  return handler({ authorize: requireAdminRequest }, async () => {
    const user = await getAdminUserDetail(parseUserIdParam(userId));
    if (!user) throw new AppError("not_found", "No such user.");
    return json({ user });
  })(request);
}
