import "server-only";
import { z } from "zod";
import type { RateLimitStoreKind } from "./store";

/**
 * Rate-limit settings (S10), read from the environment with their own schema
 * so this capability stays self-contained. Store choice: Upstash REST when
 * both UPSTASH_* variables are set, else REDIS_URL, else in-process memory.
 */
const optionalString = z.preprocess((value) => (value === "" ? undefined : value), z.string().optional());

const rateLimitEnvSchema = z
  .object({
    RATE_LIMIT: z.preprocess((value) => (value === "" ? undefined : value), z.enum(["on", "off"]).default("on")),
    UPSTASH_REDIS_REST_URL: optionalString.pipe(z.url({ error: "must be an https:// URL" }).optional()),
    UPSTASH_REDIS_REST_TOKEN: optionalString,
    REDIS_URL: optionalString.pipe(z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL").optional()),
    RATE_LIMIT_PREFIX: optionalString.transform((value) => value ?? "portal:rl"),
    RATE_LIMIT_SCALE: z.preprocess((value) => (value === "" ? undefined : value), z.coerce.number().positive().max(1_000_000).default(1)),
    RATE_LIMIT_ON_STORE_ERROR: z.preprocess((value) => (value === "" ? undefined : value), z.enum(["allow", "deny"]).default("allow")),
  })
  .refine((env) => Boolean(env.UPSTASH_REDIS_REST_URL) === Boolean(env.UPSTASH_REDIS_REST_TOKEN), {
    message: "set both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or neither",
    path: ["UPSTASH_REDIS_REST_TOKEN"],
  });

export type RateLimitConfig = {
  enabled: boolean;
  store: RateLimitStoreKind;
  upstash?: { url: string; token: string };
  redisUrl?: string;
  prefix: string;
  /** Multiplies every limit (load tests, e2e); 1 in production. */
  scale: number;
  /** What to do when the shared store is unreachable: let the request through (default) or answer 429. */
  onStoreError: "allow" | "deny";
};

export function loadRateLimitConfig(env: NodeJS.ProcessEnv): RateLimitConfig {
  const parsed = rateLimitEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid rate-limit configuration:\n${lines.join("\n")}\nSee docs/security.md for the rate-limit variables.`);
  }
  const env_ = parsed.data;
  const upstash =
    env_.UPSTASH_REDIS_REST_URL && env_.UPSTASH_REDIS_REST_TOKEN
      ? { url: env_.UPSTASH_REDIS_REST_URL, token: env_.UPSTASH_REDIS_REST_TOKEN }
      : undefined;
  return {
    enabled: env_.RATE_LIMIT === "on",
    store: upstash ? "upstash" : env_.REDIS_URL ? "redis" : "memory",
    upstash,
    redisUrl: env_.REDIS_URL,
    prefix: env_.RATE_LIMIT_PREFIX,
    scale: env_.RATE_LIMIT_SCALE,
    onStoreError: env_.RATE_LIMIT_ON_STORE_ERROR,
  };
}

let cached: RateLimitConfig | undefined;

export function getRateLimitConfig(): RateLimitConfig {
  cached ??= loadRateLimitConfig(process.env);
  return cached;
}

/** For tests that change the environment between cases. */
export function resetRateLimitConfigCache(): void {
  cached = undefined;
}
