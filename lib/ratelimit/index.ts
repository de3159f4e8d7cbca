import "server-only";
export { enforceRateLimit, assertBudgetLeft, budgetUsed, countEvent, withChargeLedger, refundCharges, resetRateLimit, getRateLimitStore, setRateLimitStore, createRateLimitStore, rateLimitedError, rateLimitStoreStatus } from "./limiter";
export { RATE_LIMIT_RULES, ROUTE_RULES, rulesForPath, type RateLimitRule } from "./rules";
export { getRateLimitConfig, loadRateLimitConfig, resetRateLimitConfigCache, type RateLimitConfig } from "./config";
export { createMemoryStore } from "./memory-store";
export { upstashRedisOverIoredis, stripLuaShebang } from "./redis-adapter";
export { createLibraryStore } from "./library-store";
export { RateLimitStoreError, type RateLimitStore, type RateLimitDecision, type RateLimitStoreKind, type StoreRule } from "./store";
export { describeWait } from "./wait";
