import "server-only";
import crypto from "node:crypto";
import { AsyncLocalStorage } from "node:async_hooks";
import { AppError } from "@/lib/errors";
import { getRateLimitConfig, type RateLimitConfig } from "./config";
import { createLibraryStore } from "./library-store";
import { createMemoryStore } from "./memory-store";
import { upstashRedisOverIoredis } from "./redis-adapter";
import { RateLimitStoreError, type RateLimitStore, type StoreRule } from "./store";
import type { RateLimitRule } from "./rules";
import { describeWait } from "./wait";

/** Builds the store the configuration names. Redis clients are imported only when used. */
export async function createRateLimitStore(config: RateLimitConfig): Promise<RateLimitStore> {
  if (config.store === "upstash" && config.upstash) {
    const { Redis } = await import("@upstash/redis");
    const redis = new Redis({ url: config.upstash.url, token: config.upstash.token, enableTelemetry: false });
    return createLibraryStore("upstash", redis, { prefix: config.prefix, ping: () => redis.ping() });
  }
  if (config.store === "redis" && config.redisUrl) {
    const { Redis } = await import("ioredis");
    // Fail fast instead of queueing forever while Redis is down: the limiter's policy takes over.
    const client = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    client.on("error", (error) => console.error("[portal] rate-limit Redis:", error.message));
    return createLibraryStore("redis", upstashRedisOverIoredis(client), {
      prefix: config.prefix,
      ping: () => client.ping(),
      close: async () => void (await client.quit()),
    });
  }
  return createMemoryStore();
}

let store: Promise<RateLimitStore> | undefined;

export function getRateLimitStore(): Promise<RateLimitStore> {
  store ??= createRateLimitStore(getRateLimitConfig()).catch((error) => {
    store = undefined;
    throw error;
  });
  return store;
}

/** Tests: use this store (or the configured one again with `undefined`). */
export function setRateLimitStore(replacement: RateLimitStore | undefined): void {
  store = replacement ? Promise.resolve(replacement) : undefined;
}

function storeRule(rule: RateLimitRule, config: RateLimitConfig): StoreRule {
  return { name: rule.name, limit: Math.max(1, Math.round(rule.limit * config.scale)), windowSeconds: rule.windowSeconds };
}

/** Identifiers (emails) are hashed so the shared store never holds addresses in clear. */
function storeKey(rule: RateLimitRule, key: string): string {
  if (rule.by !== "identifier") return key;
  return crypto.createHash("sha256").update(key.trim().toLowerCase()).digest("base64url").slice(0, 32);
}

export function rateLimitedError(retryAfterSeconds: number, message = "Too many attempts."): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new AppError("rate_limited", `${message} Try again in ${describeWait(seconds)}.`, { retryAfter: seconds });
}

/**
 * What a request was charged, so a request that fails on our side (a 5xx) can
 * give it back: budgets count what happened to the user, not our outages (S10).
 * lib/http/handler.ts opens one ledger per request.
 */
type Charge = { rule: RateLimitRule; key: string };
const ledger = new AsyncLocalStorage<Charge[]>();

export function withChargeLedger<T>(run: () => Promise<T>): Promise<T> {
  return ledger.run([], run);
}

/** Gives back every charge of the current request (best effort: a store error is logged, not thrown). */
export async function refundCharges(): Promise<number> {
  const charges = ledger.getStore()?.splice(0) ?? [];
  const config = getRateLimitConfig();
  let refunded = 0;
  for (const { rule, key } of charges) {
    try {
      await (await getRateLimitStore()).refund(storeRule(rule, config), storeKey(rule, key));
      refunded++;
    } catch (error) {
      console.error(`[portal] could not refund rate limit "${rule.name}"`, error instanceof Error ? error.message : error);
    }
  }
  return refunded;
}

/**
 * Counts one request for `key` (a client IP or an identifier) under `rule`
 * and throws AppError("rate_limited") with Retry-After seconds once the limit
 * is reached. If the store is unreachable the request is let through (and
 * logged) unless RATE_LIMIT_ON_STORE_ERROR=deny.
 */
export async function enforceRateLimit(
  rule: RateLimitRule,
  key: string,
  now: () => number = Date.now,
  message?: string,
): Promise<void> {
  const config = getRateLimitConfig();
  if (!config.enabled) return;
  const effective = storeRule(rule, config);
  let decision;
  try {
    decision = await (await getRateLimitStore()).limit(effective, storeKey(rule, key));
  } catch (error) {
    if (!(error instanceof RateLimitStoreError)) throw error;
    console.error(`[portal] rate limit "${rule.name}" not checked: ${error.message}`, error.cause ?? "");
    if (config.onStoreError === "allow") return;
    throw rateLimitedError(Math.min(effective.windowSeconds, 60), message);
  }
  if (!decision.success) throw rateLimitedError((decision.reset - now()) / 1000, message);
  ledger.getStore()?.push({ rule, key });
}

/**
 * For budgets charged only when something goes wrong (wrong codes): throws
 * `rate_limited` when `key` has nothing left under `rule`, without counting.
 * Charge a failure with `enforceRateLimit` afterwards.
 */
export async function assertBudgetLeft(
  rule: RateLimitRule,
  key: string,
  message?: string,
  now: () => number = Date.now,
): Promise<void> {
  const config = getRateLimitConfig();
  if (!config.enabled) return;
  let decision;
  try {
    decision = await (await getRateLimitStore()).peek(storeRule(rule, config), storeKey(rule, key));
  } catch (error) {
    if (!(error instanceof RateLimitStoreError)) throw error;
    console.error(`[portal] rate limit "${rule.name}" not checked: ${error.message}`, error.cause ?? "");
    if (config.onStoreError === "allow") return;
    throw rateLimitedError(60, message);
  }
  if (!decision.success) throw rateLimitedError((decision.reset - now()) / 1000, message);
}

/**
 * How much of `rule`'s budget `key` has used, for risk signals (bot protection,
 * S10): nothing is counted. Null when limits are off or the store cannot say.
 */
export async function budgetUsed(rule: RateLimitRule, key: string): Promise<{ used: number; limit: number } | null> {
  const config = getRateLimitConfig();
  if (!config.enabled) return null;
  try {
    const decision = await (await getRateLimitStore()).peek(storeRule(rule, config), storeKey(rule, key));
    return { used: decision.limit - decision.remaining, limit: decision.limit };
  } catch (error) {
    if (!(error instanceof RateLimitStoreError)) throw error;
    console.error(`[portal] rate limit "${rule.name}" not read: ${error.message}`, error.cause ?? "");
    return null;
  }
}

/** Counts one event under `rule` without ever refusing (a risk signal, not a limit); store errors are logged. */
export async function countEvent(rule: RateLimitRule, key: string): Promise<void> {
  const config = getRateLimitConfig();
  if (!config.enabled) return;
  try {
    await (await getRateLimitStore()).limit(storeRule(rule, config), storeKey(rule, key));
  } catch (error) {
    if (!(error instanceof RateLimitStoreError)) throw error;
    console.error(`[portal] rate limit "${rule.name}" not counted: ${error.message}`, error.cause ?? "");
  }
}

/** Forgets the count of `key` under `rule` (after an admin unlock, and in tests). */
export async function resetRateLimit(rule: RateLimitRule, key: string): Promise<void> {
  const config = getRateLimitConfig();
  await (await getRateLimitStore()).reset(storeRule(rule, config), storeKey(rule, key));
}

/** For /api/health (S12): which store is configured and whether it answers. */
export async function rateLimitStoreStatus(): Promise<{ enabled: boolean; store: string; ok: boolean; error?: string }> {
  const config = getRateLimitConfig();
  try {
    const store = await getRateLimitStore();
    await Promise.race([store.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), 2_000))]);
    return { enabled: config.enabled, store: store.kind, ok: true };
  } catch (error) {
    return { enabled: config.enabled, store: config.store, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
