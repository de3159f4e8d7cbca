import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "./config";

const base = { DATABASE_URL: "postgresql://u:p@localhost:5432/db" };
const originalCwd = process.cwd();

afterEach(() => process.chdir(originalCwd));

describe("loadConfig", () => {
  it("refuses to start in production without AUTH_SECRET, saying how to make one", () => {
    expect(() => loadConfig({ ...base, AUTH_URL: "https://auth.example.com", NODE_ENV: "production" })).toThrow(
      /AUTH_SECRET is required in production.*openssl rand/s,
    );
  });

  it("refuses to start in production without AUTH_URL, the one origin for issuer, Origin checks, links and redirects", () => {
    expect(() => loadConfig({ ...base, AUTH_SECRET: "x".repeat(32), NODE_ENV: "production" })).toThrow(
      /AUTH_URL is required in production.*https:\/\/auth\.example\.com/s,
    );
    // Both missing: one error names both, so the operator fixes them in one go.
    expect(() => loadConfig({ ...base, NODE_ENV: "production" })).toThrow(/AUTH_SECRET is required[\s\S]*AUTH_URL is required/);
  });

  it("does not require AUTH_URL outside production (the request's origin is used)", () => {
    expect(loadConfig({ ...base, AUTH_SECRET: "x".repeat(32), NODE_ENV: "development" }).AUTH_URL).toBeUndefined();
  });

  it("creates a development AUTH_SECRET once in .data/ and reuses it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-config-"));
    process.chdir(dir);
    const first = loadConfig({ ...base, NODE_ENV: "development" }).AUTH_SECRET;
    const second = loadConfig({ ...base, NODE_ENV: "development" }).AUTH_SECRET;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toBe(first);
    expect(fs.readFileSync(path.join(dir, ".data", "auth-secret"), "utf8").trim()).toBe(first);
    expect(fs.statSync(path.join(dir, ".data", "auth-secret")).mode & 0o777).toBe(0o600);
  });

  it("names every invalid variable and points at .env.example", () => {
    expect(() =>
      loadConfig({ DATABASE_URL: "not a url", AUTH_SECRET: "short", AUTH_BCRYPT_COST: "99", NODE_ENV: "production" }),
    ).toThrow(/DATABASE_URL[\s\S]*AUTH_SECRET[\s\S]*AUTH_BCRYPT_COST[\s\S]*\.env\.example/);
  });

  it("takes AUTH_SECRET_PREVIOUS during a rotation, and refuses one that is too short or the same as AUTH_SECRET", () => {
    const env = { ...base, AUTH_SECRET: "n".repeat(32), NODE_ENV: "test" as const };
    expect(loadConfig({ ...env, AUTH_SECRET_PREVIOUS: "o".repeat(32) }).AUTH_SECRET_PREVIOUS).toBe("o".repeat(32));
    expect(loadConfig(env).AUTH_SECRET_PREVIOUS).toBeUndefined();
    expect(() => loadConfig({ ...env, AUTH_SECRET_PREVIOUS: "short" })).toThrow(/AUTH_SECRET_PREVIOUS: must be at least 32 characters/);
    expect(() => loadConfig({ ...env, AUTH_SECRET_PREVIOUS: "n".repeat(32) })).toThrow(/AUTH_SECRET_PREVIOUS: is the same as AUTH_SECRET/);
  });

  it("applies the documented defaults", () => {
    const config = loadConfig({ ...base, AUTH_SECRET: "x".repeat(32), AUTH_URL: "https://auth.example.com", NODE_ENV: "production" });
    expect(config).toMatchObject({
      AUTH_BCRYPT_COST: 10,
      AUTH_SESSION_TOKEN_TTL_SECONDS: 60,
      AUTH_SESSION_MAX_AGE_DAYS: 7,
      DATABASE_POOL_MAX: 10,
      ADMIN_EMAILS: [],
    });
  });

  it("lower-cases ADMIN_EMAILS and splits lists", () => {
    const config = loadConfig({ ...base, AUTH_SECRET: "x".repeat(32), ADMIN_EMAILS: " Boss@Example.com, ops@example.com ", NODE_ENV: "test" });
    expect(config.ADMIN_EMAILS).toEqual(["boss@example.com", "ops@example.com"]);
  });
});

describe("OAuth providers from the environment", () => {
  const base = { NODE_ENV: "test" as const, DATABASE_URL: "postgresql://localhost/x", AUTH_SECRET: "s".repeat(32) };

  it("reads the presets and generic OpenID Connect providers", () => {
    const config = loadConfig({
      ...base,
      OAUTH_GOOGLE_CLIENT_ID: "g-id",
      OAUTH_GOOGLE_CLIENT_SECRET: "g-secret",
      OAUTH_OIDC_MY_IDP_ISSUER: "https://idp.example.com",
      OAUTH_OIDC_MY_IDP_CLIENT_ID: "m-id",
      OAUTH_OIDC_MY_IDP_CLIENT_SECRET: "m-secret",
      OAUTH_OIDC_MY_IDP_NAME: "My IdP",
    });
    expect(config.OAUTH_PROVIDERS).toEqual([
      { id: "google", clientId: "g-id", clientSecret: "g-secret" },
      { id: "my-idp", issuer: "https://idp.example.com", clientId: "m-id", clientSecret: "m-secret", name: "My IdP" },
    ]);
  });

  it("names what is missing or wrong", () => {
    expect(() => loadConfig({ ...base, OAUTH_GITHUB_CLIENT_ID: "x" })).toThrow(/OAUTH_GITHUB_CLIENT_SECRET: required/);
    expect(() => loadConfig({ ...base, OAUTH_OIDC_CORP_CLIENT_ID: "x", OAUTH_OIDC_CORP_CLIENT_SECRET: "y" })).toThrow(/OAUTH_OIDC_CORP_ISSUER: required/);
    expect(() => loadConfig({ ...base, OAUTH_OIDC_CORP_ISSUER: "not a url", OAUTH_OIDC_CORP_CLIENT_ID: "x", OAUTH_OIDC_CORP_CLIENT_SECRET: "y" })).toThrow(
      /OAUTH_OIDC_CORP_ISSUER: must be a URL/,
    );
  });
});
