/** The one interface the three rate-limit stores implement (S10). */
export type RateLimitStoreKind = "upstash" | "redis" | "memory";

/** A rule as the store sees it: limit already scaled, name used as the key namespace. */
export type StoreRule = { name: string; limit: number; windowSeconds: number };

export type RateLimitDecision = {
  success: boolean;
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the current window ends (basis for Retry-After). */
  reset: number;
};

export interface RateLimitStore {
  readonly kind: RateLimitStoreKind;
  /** Counts one request for `key` under `rule` and says whether it is within the limit. */
  limit(rule: StoreRule, key: string): Promise<RateLimitDecision>;
  /** What `limit` would answer, without counting anything (budgets charged only on failure). */
  peek(rule: StoreRule, key: string): Promise<RateLimitDecision>;
  /** Gives back one request counted by `limit` (the request failed on our side, S10). */
  refund(rule: StoreRule, key: string): Promise<void>;
  /** Forgets `key`'s count under `rule` (admin unlock, tests). */
  reset(rule: StoreRule, key: string): Promise<void>;
  /** Throws when the store cannot be reached (health checks, S12). */
  ping(): Promise<void>;
  close?(): Promise<void>;
}

/** The store could not answer (network, timeout): the caller applies RATE_LIMIT_ON_STORE_ERROR. */
export class RateLimitStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RateLimitStoreError";
  }
}
