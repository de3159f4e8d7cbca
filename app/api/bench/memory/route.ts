import { NextResponse } from "next/server";
import { benchRoutesEnabled } from "@/lib/bench";

export const dynamic = "force-dynamic";

/** GET /api/bench/memory: this process's memory (bytes), sampled by the benchmark's memory scenario. 404 unless AUTH_BENCH_ROUTES=1. */
export function GET(): Response {
  if (!benchRoutesEnabled()) return NextResponse.json({ message: "Not found." }, { status: 404 });
  return NextResponse.json(process.memoryUsage());
}
