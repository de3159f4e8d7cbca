// The benchmark's build helpers: freshness comes from scripts/lib/build.mjs
// (the rule the e2e harness uses), plus mirroring the project into a workdir.
import fs from "node:fs";
import path from "node:path";

export { buildIsFresh } from "../../scripts/lib/build.mjs";

/**
 * Mirrors the project into `dir` for a run that must not build in place:
 * source files copied (node_modules, .next, .data and reports left out),
 * node_modules hard-linked with `cp -al` (Turbopack refuses a symlinked
 * node_modules), falling back to a symlink. `dir`'s own .next is kept so its
 * build is reused while fresh.
 */
export async function mirrorProject(root, dir, { spawnSync }) {
  const skip = new Set(["node_modules", ".next", ".data", ".git", "test-results", "playwright-report"]);
  fs.mkdirSync(dir, { recursive: true });
  for (const entry of fs.readdirSync(dir)) {
    if (entry === "node_modules" || entry === ".next") continue;
    fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  for (const entry of fs.readdirSync(root)) {
    if (skip.has(entry)) continue;
    fs.cpSync(path.join(root, entry), path.join(dir, entry), {
      recursive: true,
      preserveTimestamps: true,
      filter: (source) => !source.includes(`${path.sep}bench${path.sep}results${path.sep}`) || source.endsWith(".gitkeep"),
    });
  }
  const target = path.join(dir, "node_modules");
  fs.rmSync(target, { recursive: true, force: true });
  const linked = spawnSync("cp", ["-al", path.join(root, "node_modules"), target], { stdio: "inherit" });
  if (linked.status !== 0) fs.symlinkSync(path.join(root, "node_modules"), target, "dir");
}
