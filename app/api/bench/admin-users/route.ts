import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { explainUserSearch, searchUsers } from "@/lib/admin";
import { benchRoutesEnabled } from "@/lib/bench";
import { errorResponse, json } from "@/lib/http";

export const dynamic = "force-dynamic";

const params = z.object({
  query: z.string().max(200).optional(),
  sort: z.enum(["created_desc", "created_asc", "last_sign_in_desc"]).optional(),
  cursor: z.string().max(500).optional(),
  banned: z.enum(["true", "false"]).transform((value) => value === "true").optional(),
  explain: z.literal("1").optional(),
});

/**
 * GET /api/bench/admin-users?query=&sort=&cursor=&banned= : the admin user
 * list and search (lib/admin `searchUsers`, as GET /api/admin/users runs it)
 * without an admin session, for the benchmark's 1k / 100k scale rows.
 * `explain=1` answers the query plans of the same statements instead.
 * 404 unless AUTH_BENCH_ROUTES=1.
 */
export async function GET(request: NextRequest): Promise<Response> {
  if (!benchRoutesEnabled()) return NextResponse.json({ message: "Not found." }, { status: 404 });
  try {
    const { explain, ...input } = params.parse(Object.fromEntries(request.nextUrl.searchParams));
    if (explain) return json({ plans: await explainUserSearch(input) });
    return json(await searchUsers(input));
  } catch (error) {
    return errorResponse(error);
  }
}
