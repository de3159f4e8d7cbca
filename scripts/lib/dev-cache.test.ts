import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { dropDevCacheIfEnvironmentChanged } from "./dev-cache.mjs";

let root: string;
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A project whose last `next dev` left a Turbopack cache behind. */
function projectWithCache(): string {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "dev-cache-"));
  fs.mkdirSync(path.join(root, ".next", "dev", "cache", "turbopack"), { recursive: true });
  fs.writeFileSync(path.join(root, ".next", "dev", "cache", "turbopack", "data"), "compiled pages");
  return root;
}
const cached = () => fs.existsSync(path.join(root, ".next", "dev", "cache", "turbopack", "data"));

describe("npm run dev: Turbopack's cache across environments", () => {
  it("keeps the cache while the environment stays the same, drops it when any variable changes", () => {
    projectWithCache();
    // A cache from a run that left no fingerprint (an older checkout): its environment is unknown.
    expect(dropDevCacheIfEnvironmentChanged(root, { AUTH_SECRET: "a", PATH: "/bin" })).toBe(true);
    expect(cached()).toBe(false);

    fs.mkdirSync(path.join(root, ".next", "dev", "cache", "turbopack"), { recursive: true });
    fs.writeFileSync(path.join(root, ".next", "dev", "cache", "turbopack", "data"), "compiled pages");
    // Same variables in another order: kept.
    expect(dropDevCacheIfEnvironmentChanged(root, { PATH: "/bin", AUTH_SECRET: "a", UNSET: undefined })).toBe(false);
    expect(cached()).toBe(true);
    // One more variable (ADMIN_EMAILS, as the README suggests): dropped.
    expect(dropDevCacheIfEnvironmentChanged(root, { PATH: "/bin", AUTH_SECRET: "a", ADMIN_EMAILS: "you@example.com" })).toBe(true);
    expect(cached()).toBe(false);
  });

  it("a first run (no .next yet) has nothing to drop and leaves the fingerprint for the next", () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "dev-cache-"));
    expect(dropDevCacheIfEnvironmentChanged(root, { A: "1" })).toBe(false);
    expect(fs.readFileSync(path.join(root, ".next", "dev", "cache", "portal-environment.sha256"), "utf8")).toMatch(/^[0-9a-f]{64}$/);
  });
});
