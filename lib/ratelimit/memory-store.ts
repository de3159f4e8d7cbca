import type { RateLimitDecision, RateLimitStore, StoreRule } from "./store";

/**
 * In-process store: the zero-config default. Counts live in this process only,
 * so with several instances each one enforces its own limit (use REDIS_URL or
 * Upstash there). @upstash/ratelimit has no in-memory store of its own (its
 * `ephemeralCache` only remembers blocks in front of Redis), so this is a small
 * implementation of the same sliding-window algorithm it uses: the previous
 * fixed window's count, weighted by how much of it still overlaps, plus the
 * current window's count.
 */
type Counter = { windowMs: number; window: number; current: number; previous: number };

/** Above this many keys, a write sweeps out counters whose windows have both passed. */
const SWEEP_THRESHOLD = 50_000;

export function createMemoryStore(options: { now?: () => number } = {}): RateLimitStore & { size(): number } {
  const now = options.now ?? Date.now;
  const counters = new Map<string, Counter>();

  function counterFor(id: string, windowMs: number, window: number): Counter {
    const counter = counters.get(id);
    if (!counter) return { windowMs, window, current: 0, previous: 0 };
    if (counter.window === window) return counter;
    // Roll forward: the old current window becomes "previous" only if it is the one just before.
    return { windowMs, window, current: 0, previous: counter.window === window - 1 ? counter.current : 0 };
  }

  function sweep(at: number) {
    for (const [id, counter] of counters) {
      if (counter.window < Math.floor(at / counter.windowMs) - 1) counters.delete(id);
    }
  }

  return {
    kind: "memory",
    async limit(rule: StoreRule, key: string): Promise<RateLimitDecision> {
      const windowMs = rule.windowSeconds * 1000;
      const at = now();
      const window = Math.floor(at / windowMs);
      const id = `${rule.name}:${key}`;
      const counter = counterFor(id, windowMs, window);
      const overlap = 1 - (at % windowMs) / windowMs;
      const used = Math.floor(counter.previous * overlap) + counter.current;
      const reset = (window + 1) * windowMs;
      if (used >= rule.limit) {
        counters.set(id, counter);
        return { success: false, limit: rule.limit, remaining: 0, reset };
      }
      counter.current += 1;
      counters.set(id, counter);
      if (counters.size > SWEEP_THRESHOLD) sweep(at);
      return { success: true, limit: rule.limit, remaining: rule.limit - used - 1, reset };
    },
    async peek(rule: StoreRule, key: string): Promise<RateLimitDecision> {
      const windowMs = rule.windowSeconds * 1000;
      const at = now();
      const window = Math.floor(at / windowMs);
      const counter = counterFor(`${rule.name}:${key}`, windowMs, window);
      const used = Math.floor(counter.previous * (1 - (at % windowMs) / windowMs)) + counter.current;
      const remaining = Math.max(0, rule.limit - used);
      return { success: remaining > 0, limit: rule.limit, remaining, reset: (window + 1) * windowMs };
    },
    async refund(rule: StoreRule, key: string): Promise<void> {
      const id = `${rule.name}:${key}`;
      const windowMs = rule.windowSeconds * 1000;
      const counter = counterFor(id, windowMs, Math.floor(now() / windowMs));
      // Taken back from the window that counted it; if that one has rolled into "previous", from there.
      if (counter.current > 0) counter.current -= 1;
      else if (counter.previous > 0) counter.previous -= 1;
      counters.set(id, counter);
    },
    async reset(rule: StoreRule, key: string): Promise<void> {
      counters.delete(`${rule.name}:${key}`);
    },
    async ping(): Promise<void> {},
    size: () => counters.size,
  };
}
