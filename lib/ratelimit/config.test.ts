import { describe, expect, it } from "vitest";
import { loadRateLimitConfig } from "./config";

describe("rate-limit configuration", () => {
  it("is on, in memory, by default", () => {
    expect(loadRateLimitConfig({} as unknown as NodeJS.ProcessEnv)).toMatchObject({ enabled: true, store: "memory", scale: 1, onStoreError: "allow" });
    expect(loadRateLimitConfig({ RATE_LIMIT: "" } as unknown as NodeJS.ProcessEnv).enabled).toBe(true);
  });

  it("picks Upstash when both REST variables are set, else REDIS_URL, else memory", () => {
    const upstash = { UPSTASH_REDIS_REST_URL: "https://eu1.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t", REDIS_URL: "redis://localhost:6379" };
    expect(loadRateLimitConfig(upstash as unknown as NodeJS.ProcessEnv).store).toBe("upstash");
    expect(loadRateLimitConfig({ REDIS_URL: "redis://localhost:6379" } as unknown as NodeJS.ProcessEnv).store).toBe("redis");
    expect(loadRateLimitConfig({ REDIS_URL: "" } as unknown as NodeJS.ProcessEnv).store).toBe("memory");
  });

  it("refuses half an Upstash configuration and bad values, naming the variable", () => {
    expect(() => loadRateLimitConfig({ UPSTASH_REDIS_REST_URL: "https://x.upstash.io" } as unknown as NodeJS.ProcessEnv)).toThrow(/UPSTASH_REDIS_REST_TOKEN/);
    expect(() => loadRateLimitConfig({ RATE_LIMIT: "false" } as unknown as NodeJS.ProcessEnv)).toThrow(/RATE_LIMIT/);
    expect(() => loadRateLimitConfig({ REDIS_URL: "localhost:6379" } as unknown as NodeJS.ProcessEnv)).toThrow(/REDIS_URL/);
  });

  it("turns off only with RATE_LIMIT=off", () => {
    expect(loadRateLimitConfig({ RATE_LIMIT: "off" } as unknown as NodeJS.ProcessEnv).enabled).toBe(false);
  });
});
