// AUTH_SECRET for local runs: kept in .data/auth-secret (git-ignored), the same
// file lib/config.ts falls back to, so the runner and the app agree.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./proc.mjs";

export const DEV_SECRET_FILE = path.join(ROOT, ".data", "auth-secret");

/** Reads .data/auth-secret, creating it (mode 600) on first use. */
export function devAuthSecret() {
  try {
    const existing = fs.readFileSync(DEV_SECRET_FILE, "utf8").trim();
    if (existing.length >= 32) return { secret: existing, created: false };
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.mkdirSync(path.dirname(DEV_SECRET_FILE), { recursive: true });
  fs.writeFileSync(DEV_SECRET_FILE, secret, { mode: 0o600 });
  return { secret, created: true };
}

export function randomSecret() {
  return crypto.randomBytes(32).toString("base64url");
}
