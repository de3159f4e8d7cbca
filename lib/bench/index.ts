import "server-only";
import { notFound } from "next/navigation";
import { db } from "@/lib/db";

/**
 * Benchmark-only routes (app/bench/**, app/api/bench/**) exist for `npm run bench`
 * and answer 404 unless the server runs with AUTH_BENCH_ROUTES=1, so they are
 * inert in real deployments. Read at request time, never at build time.
 */
export function benchRoutesEnabled(): boolean {
  return process.env.AUTH_BENCH_ROUTES === "1";
}

/** For bench pages: renders the 404 page unless bench routes are enabled. */
export function assertBenchRoutesEnabled(): void {
  if (!benchRoutesEnabled()) notFound();
}

/**
 * The DB floor of the refresh benchmark: exactly one indexed read (primary key
 * of Session), the cheapest query a handshake could possibly make.
 */
export async function readSessionById(id: string): Promise<{ id: string; status: string } | null> {
  const session = await db.session.findUnique({ where: { id } });
  return session ? { id: session.id, status: session.status } : null;
}
