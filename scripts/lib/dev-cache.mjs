import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Turbopack's dev cache, restored by a `next dev` whose environment differs from the run that
 * wrote it (any variable: ADMIN_EMAILS added, another AUTH_SECRET, even an unrelated one), sends
 * a page the earlier run had compiled into a reload loop: the browser is told "restart", then
 * "HMR hash mismatch", over and over (Next 16.4.6; seen on /sign-in after every restart with a
 * new variable once pages had been compiled). So a run in a new environment starts with a fresh
 * cache; an unchanged one keeps it (pages compile about twice as fast with it).
 * Returns whether the cache was dropped.
 */
export function dropDevCacheIfEnvironmentChanged(root, env) {
  const cacheDir = path.join(root, ".next", "dev", "cache");
  const turbopackCache = path.join(cacheDir, "turbopack");
  const stamp = path.join(cacheDir, "portal-environment.sha256");
  const entries = Object.entries(env).filter(([, value]) => value !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const fingerprint = crypto.createHash("sha256").update(JSON.stringify(entries)).digest("hex");
  let previous = null;
  try {
    previous = fs.readFileSync(stamp, "utf8");
  } catch {}
  const drop = previous !== fingerprint && fs.existsSync(turbopackCache);
  if (drop) fs.rmSync(turbopackCache, { recursive: true, force: true });
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(stamp, fingerprint);
  return drop;
}
