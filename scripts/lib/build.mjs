// Build freshness, shared by the e2e harness and the benchmark: the production
// build is reused when .next/BUILD_ID is newer than every file that can change it.
import fs from "node:fs";
import path from "node:path";

const NOT_BUILD_INPUTS = new Set([
  "node_modules", ".next", ".data", ".git", ".ci", "e2e", "e2e-quickstart", "test", "scripts", "docs", "bench", "security",
  "test-results", "playwright-report", "coverage",
]);

function newestSource(root, dir = root, depth = 0) {
  let newest = { mtime: 0, file: "" };
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (depth === 0 && NOT_BUILD_INPUTS.has(entry.name)) continue;
    if (full === path.join(root, "lib", "generated")) continue;
    if (entry.isDirectory()) {
      const inner = newestSource(root, full, depth + 1);
      if (inner.mtime > newest.mtime) newest = inner;
    } else if (entry.isFile()) {
      if (/\.(test|spec)\.[cm]?[jt]sx?$/.test(entry.name) || /\.md$/i.test(entry.name)) continue;
      if (/^(playwright\.config|vitest\.config)\./.test(entry.name)) continue;
      if (/\.tsbuildinfo$|^next-env\.d\.ts$|^\.gitignore$|^\.env\.example$/.test(entry.name)) continue;
      const mtime = fs.statSync(full).mtimeMs;
      if (mtime > newest.mtime) newest = { mtime, file: path.relative(root, full) };
    }
  }
  return newest;
}

export function buildIsFresh(root) {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return { fresh: false, reason: "no .next/BUILD_ID" };
  const newest = newestSource(root);
  if (newest.mtime > fs.statSync(buildId).mtimeMs) return { fresh: false, reason: `${newest.file} changed after the last build` };
  return { fresh: true };
}
