import { createMemoryStore } from "@/lib/ratelimit";

/**
 * A memory rate-limit store whose clock stands still at the moment it is made.
 *
 * The limiter's sliding window (Upstash's algorithm) weighs the previous fixed window by how
 * much of it still overlaps and rounds down, so a burst that straddles a window edge can get
 * one request more than the limit. That is the algorithm, in Redis too; but a test that counts
 * "10 allowed, the 11th refused" on the real clock fails whenever it happens to run across an
 * edge (15-minute windows fall on :00, :15, :30, :45, and CI runs for half an hour). Tests
 * that need time to pass give the store a clock of their own instead.
 */
export function steadyMemoryStore() {
  const at = Date.now();
  return createMemoryStore({ now: () => at });
}

/**
 * For stores whose clock we cannot hold (real Redis, where @upstash/ratelimit reads Date.now):
 * if a window edge of `windowSeconds` falls within the next `spanMs`, waits until it has passed.
 */
export async function clearOfWindowEdge(windowSeconds: number, spanMs = 2_000): Promise<void> {
  const windowMs = windowSeconds * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < spanMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}
