import { Ratelimit } from "@upstash/ratelimit";
import { RateLimitStoreError, type RateLimitDecision, type RateLimitStore, type RateLimitStoreKind, type StoreRule } from "./store";
import type { UpstashCompatibleRedis } from "./redis-adapter";

/** Beyond this the limiter gives up on the store; RATE_LIMIT_ON_STORE_ERROR decides what happens. */
const STORE_TIMEOUT_MS = 2_000;

/**
 * A store backed by @upstash/ratelimit's sliding window, over either the
 * Upstash REST client or a plain Redis through upstashRedisOverIoredis. One
 * Ratelimit object per rule (the algorithm is configured per limiter).
 */
export function createLibraryStore(
  kind: Exclude<RateLimitStoreKind, "memory">,
  redis: UpstashCompatibleRedis | object,
  options: { prefix: string; timeoutMs?: number; ping: () => Promise<unknown>; close?: () => Promise<void> },
): RateLimitStore {
  const limiters = new Map<string, Ratelimit>();

  function limiterFor(rule: StoreRule): Ratelimit {
    const id = `${rule.name}|${rule.limit}|${rule.windowSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = new Ratelimit({
        // The library types `redis` as the Upstash client; at runtime it only calls eval/evalsha.
        redis: redis as ConstructorParameters<typeof Ratelimit>[0]["redis"],
        limiter: Ratelimit.slidingWindow(rule.limit, `${rule.windowSeconds} s`),
        prefix: `${options.prefix}:${rule.name}`,
        analytics: false,
        timeout: options.timeoutMs ?? STORE_TIMEOUT_MS,
      });
      limiters.set(id, limiter);
    }
    return limiter;
  }

  return {
    kind,
    async limit(rule, key): Promise<RateLimitDecision> {
      let result: Awaited<ReturnType<Ratelimit["limit"]>>;
      try {
        result = await limiterFor(rule).limit(key);
      } catch (error) {
        throw new RateLimitStoreError(`${kind} rate-limit store failed`, { cause: error });
      }
      // On timeout the library answers success: true; we let the caller's policy decide instead.
      if (result.reason === "timeout") throw new RateLimitStoreError(`${kind} rate-limit store timed out`);
      return { success: result.success, limit: result.limit, remaining: result.remaining, reset: result.reset };
    },
    async peek(rule, key): Promise<RateLimitDecision> {
      let result: Awaited<ReturnType<Ratelimit["getRemaining"]>>;
      try {
        result = await limiterFor(rule).getRemaining(key);
      } catch (error) {
        throw new RateLimitStoreError(`${kind} rate-limit store failed`, { cause: error });
      }
      return { success: result.remaining > 0, limit: result.limit, remaining: result.remaining, reset: result.reset };
    },
    async refund(rule, key) {
      // @upstash/ratelimit's documented refund: a negative rate decrements without checking the limit.
      try {
        await limiterFor(rule).limit(key, { rate: -1 });
      } catch (error) {
        throw new RateLimitStoreError(`${kind} rate-limit store failed`, { cause: error });
      }
    },
    async reset(rule, key) {
      await limiterFor(rule).resetUsedTokens(key);
    },
    async ping() {
      await options.ping();
    },
    close: options.close,
  };
}
