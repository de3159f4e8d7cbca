import { NextResponse, type NextRequest } from "next/server";
import { benchRoutesEnabled } from "@/lib/bench";

export const dynamic = "force-dynamic";

/**
 * GET /api/bench/memory: this process's memory (bytes), sampled by the benchmark's memory scenario.
 * `?collect=1` runs a full garbage collection first, so `heapUsed` is what is still reachable (the
 * benchmark starts its servers with --expose-gc; 409 without it). 404 unless AUTH_BENCH_ROUTES=1.
 */
export function GET(request: NextRequest): Response {
  if (!benchRoutesEnabled()) return NextResponse.json({ message: "Not found." }, { status: 404 });
  if (request.nextUrl.searchParams.get("collect") === "1") {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (typeof collect !== "function") {
      return NextResponse.json({ message: "Start the server with --expose-gc to collect before measuring." }, { status: 409 });
    }
    collect();
  }
  return NextResponse.json(process.memoryUsage());
}
