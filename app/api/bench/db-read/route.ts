import { NextResponse, type NextRequest } from "next/server";
import { benchRoutesEnabled, readSessionById } from "@/lib/bench";

export const dynamic = "force-dynamic";

/**
 * GET /api/bench/db-read?id=sess_... : one indexed Prisma read and nothing
 * else, the floor the handshake/refresh benchmark is compared with.
 * 404 unless AUTH_BENCH_ROUTES=1.
 */
export async function GET(request: NextRequest): Promise<Response> {
  if (!benchRoutesEnabled()) return NextResponse.json({ message: "Not found." }, { status: 404 });
  const session = await readSessionById(request.nextUrl.searchParams.get("id") ?? "");
  return NextResponse.json({ found: session !== null });
}
