import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// The runner is run for real, from a throwaway copy of the project (scripts, the trusted-proxy
// module, node_modules linked), so its .data/ starts empty: a test cannot pass because a secret
// file from an earlier run already exists, and nothing touches the real project's .data/.
const ROOT = path.resolve(__dirname, "..");
const copies: string[] = [];

function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-run-"));
  copies.push(dir);
  fs.cpSync(path.join(ROOT, "scripts"), path.join(dir, "scripts"), { recursive: true });
  fs.mkdirSync(path.join(dir, "lib", "http"), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "lib", "http", "trusted-proxies.mjs"), path.join(dir, "lib", "http", "trusted-proxies.mjs"));
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** `node scripts/run.mjs <mode>` in `dir` with exactly `env` (plus PATH/HOME), as `npm start` would run it. */
function runner(dir: string, mode: "dev" | "start", env: Record<string, string>) {
  // No NODE_ENV: `npm start` does not set one.
  const exactly: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME ?? dir, NEXT_TELEMETRY_DISABLED: "1", ...env };
  return spawnSync(process.execPath, [path.join(dir, "scripts", "run.mjs"), mode], {
    cwd: dir,
    env: exactly as NodeJS.ProcessEnv,
    encoding: "utf8",
    timeout: 60_000,
  });
}

// Nothing listens on port 1: the runner must refuse before it would use the database at all.
const UNREACHABLE_DB = "postgresql://postgres:postgres@127.0.0.1:1/portal";
const SECRET = "s".repeat(40);

afterEach(() => {
  for (const dir of copies.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("scripts/run.mjs start: production traps", () => {
  it("refuses to start without AUTH_SECRET (NODE_ENV unset, as `npm start` runs) and creates no .data/auth-secret", () => {
    const dir = projectCopy();
    const result = runner(dir, "start", { DATABASE_URL: UNREACHABLE_DB, AUTH_URL: "https://auth.example.com" });
    expect(result.status, result.stdout + result.stderr).not.toBe(0);
    expect(result.stderr).toMatch(/AUTH_SECRET is required by `npm start`[\s\S]*openssl rand -base64 32/);
    expect(fs.existsSync(path.join(dir, ".data", "auth-secret"))).toBe(false);
  });

  it("refuses to start without AUTH_URL, saying what it is", () => {
    const dir = projectCopy();
    const result = runner(dir, "start", { DATABASE_URL: UNREACHABLE_DB, AUTH_SECRET: SECRET });
    expect(result.status, result.stdout + result.stderr).not.toBe(0);
    expect(result.stderr).toMatch(/AUTH_URL is required by `npm start`: the public origin/);
  });

  it("dev still creates the development secret, in PORTAL_DATA_DIR when set", () => {
    const dir = projectCopy();
    const dataDir = path.join(dir, "elsewhere");
    // Migrations then fail against the unreachable database: only the secret matters here.
    const result = runner(dir, "dev", { DATABASE_URL: UNREACHABLE_DB, PORTAL_DATA_DIR: dataDir });
    expect(result.stdout + result.stderr).not.toMatch(/AUTH_SECRET is required/);
    expect(fs.readFileSync(path.join(dataDir, "auth-secret"), "utf8").length).toBeGreaterThanOrEqual(32);
    expect(fs.existsSync(path.join(dir, ".data", "auth-secret"))).toBe(false);
  });
});
