// Child-process helpers shared by scripts/run.mjs, scripts/e2e.mjs and scripts/test-all.mjs.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(path.join(ROOT, "package.json"));

/**
 * The JS entry of a package's bin (resolved from the project's node_modules),
 * so tools run as `node <entry>` on every OS without relying on npx or shims.
 */
export function binEntry(pkg, bin = pkg) {
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = require(manifestPath);
  const rel = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[bin];
  if (!rel) throw new Error(`${pkg} has no bin named ${bin}`);
  return path.join(path.dirname(manifestPath), rel);
}

/** [command, args] running a package bin with the current Node. */
export function nodeBin(pkg, bin, args) {
  return [process.execPath, [binEntry(pkg, bin), ...args]];
}

/** Spawns with inherited stdio; returns the ChildProcess. */
export function start(command, args, options = {}) {
  return spawn(command, args, { cwd: ROOT, stdio: "inherit", ...options });
}

/** Resolves with { code, signal } when the child exits. */
export function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => {
      console.error(`Could not start ${child.spawnfile}: ${error.message}`);
      resolve({ code: 127, signal: null });
    });
  });
}

/** Runs to completion; resolves with a shell-style exit status. */
export async function run(command, args, options = {}) {
  const child = start(command, args, options);
  return exitStatus(await exited(child));
}

/** Like run(), but throws when the command fails. */
export async function runOrThrow(label, command, args, options = {}) {
  const status = await run(command, args, options);
  if (status !== 0) throw new Error(`${label} failed (exit status ${status})`);
}

/** Shell convention: the exit code, or 128 + signal number when killed by a signal. */
export function exitStatus({ code, signal }) {
  if (code !== null && code !== undefined) return code;
  if (signal) return 128 + (os.constants.signals[signal] ?? 1);
  return 1;
}

/**
 * Stops a child: SIGTERM (to its process group when it was spawned detached),
 * then SIGKILL after `graceMs`. Resolves when it has exited.
 */
export async function stop(child, { graceMs = 10_000, group = false } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  const send = (signal) => {
    try {
      if (group && child.pid) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      /* already gone */
    }
  };
  send("SIGTERM");
  const timer = setTimeout(() => send("SIGKILL"), graceMs);
  await done;
  clearTimeout(timer);
  // A detached group may still hold grandchildren (e.g. next's workers).
  if (group && child.pid) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* group already empty */
    }
  }
}
