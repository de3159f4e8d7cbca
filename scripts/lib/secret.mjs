// AUTH_SECRET for local runs: kept in <data dir>/auth-secret (git-ignored; the
// data dir is PORTAL_DATA_DIR, default .data), exported by scripts/run.mjs to
// the app, so the runner and the app agree.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./proc.mjs";

/** Where the runner keeps local state (PGlite data, the dev secret): PORTAL_DATA_DIR, default .data. */
export function dataDir(env = process.env) {
  return path.resolve(ROOT, env.PORTAL_DATA_DIR || ".data");
}

export const devSecretFile = (dir) => path.join(dir, "auth-secret");

/** Reads <dir>/auth-secret, creating it (mode 600) on first use. */
export function devAuthSecret(dir) {
  const file = devSecretFile(dir);
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= 32) return { secret: existing, created: false };
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return { secret, created: true };
}

export function randomSecret() {
  return crypto.randomBytes(32).toString("base64url");
}
