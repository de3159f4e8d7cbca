#!/usr/bin/env node
// `npm test`: the unit/integration suite (Vitest), the e2e suite
// (scripts/e2e.mjs + Playwright on a production build), a one-minute soak
// (scripts/soak.mjs --minutes 1: two instances, every fault once, reusing the
// e2e build; each invariant counts as one test) and the quick-start suite
// (scripts/e2e-quickstart.mjs: `npm run dev` as the README runs it, walked in
// a browser). Each writes a JSON report to a temp folder; the totals are
// printed as the very last line:
//
//   N passed, N failed[, N skipped]
//
// Exits non-zero when anything failed, a suite could not run, or no test ran.
// Flags: --unit-only, --e2e-only, --soak-only, --quickstart-only.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitStatus, exited, nodeBin, start } from "./lib/proc.mjs";
import { countPlaywright, countSoak, countVitest } from "./lib/test-reports.mjs";

const ONLY_FLAGS = ["--unit-only", "--e2e-only", "--soak-only", "--quickstart-only"];
const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((arg) => !ONLY_FLAGS.includes(arg));
const only = ONLY_FLAGS.filter((flag) => args.has(flag));
if (unknown.length || only.length > 1) {
  console.error("Usage: node scripts/test-all.mjs [--unit-only | --e2e-only | --soak-only | --quickstart-only]");
  process.exit(2);
}
const runUnit = only.length === 0 || args.has("--unit-only");
const runE2e = only.length === 0 || args.has("--e2e-only");
const runSoak = only.length === 0 || args.has("--soak-only");
const runQuickstart = only.length === 0 || args.has("--quickstart-only");

const startedAt = Date.now();
/** Wall-clock time (UTC) in each section's heading: CI keeps the log, and this is its timeline. */
const clock = () => new Date().toISOString().slice(11, 19);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "portal-tests-"));
let current = null;
let interrupted = null;
const alongside = new Set(); // suites running in the background (the quick start, during the unit tests)
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    interrupted ??= signal;
    current?.kill(signal);
    for (const child of alongside) child.kill(signal);
  });
}

async function runChild(command, argv, env = process.env) {
  current = start(command, argv, { env });
  const status = exitStatus(await exited(current));
  current = null;
  return status;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

const results = [];

async function unitSuite() {
  const reportFile = path.join(tmp, "vitest.json");
  console.log(`\n=== Unit and integration tests (vitest) (${clock()}) ===\n`);
  const [command, argv] = nodeBin("vitest", "vitest", [
    "run",
    "--passWithNoTests",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${reportFile}`,
  ]);
  const status = await runChild(command, argv);
  const report = readJson(reportFile);
  const counts = countVitest(report);
  if (!report) counts.notes.push("no report was written");
  if (status !== 0 && counts.failed === 0) {
    counts.failed += 1;
    counts.notes.push(`vitest exited with status ${status} without a failing test (setup/teardown error?)`);
  }
  results.push({ name: "unit", ...counts });
}

/**
 * The suite alongside the unit tests (the quick start) runs at a lower priority, and so does
 * everything it starts (next dev, the embedded database, the browser): children inherit it, and
 * the walk has not started any yet. It spends most of its time pausing at a person's pace, so
 * it has time to spare, while the unit suite is the longer of the two and needs both cores.
 */
const BACKGROUND_NICE = 10;

function lowerPriority(pid, nice) {
  try {
    os.setPriority(pid, Math.max(os.getPriority(pid), nice));
  } catch {
    // Not permitted or not supported: the same priority as the unit tests.
  }
}

/**
 * Runs one of our harness scripts (scripts/<script>) that writes a JSON report to the file named by
 * `reportEnv`, and counts it. A non-zero exit without a counted failure counts as one failure.
 */
async function scriptSuite({ name, title, script, args = [], reportEnv, count, noReport, failedUnit = "test", inBackground = false }) {
  const reportFile = path.join(tmp, `${name}.json`);
  const argv = [fileURLToPath(new URL(`./${script}`, import.meta.url)), ...args];
  const env = { ...process.env, [reportEnv]: reportFile };
  let status;
  if (inBackground) {
    // Its output goes to a file, printed when it ends, so it does not interleave with the foreground suite's.
    const logFile = path.join(tmp, `${name}.log`);
    const logFd = fs.openSync(logFile, "w");
    const child = start(process.execPath, argv, { env, stdio: ["ignore", logFd, logFd] });
    fs.closeSync(logFd);
    lowerPriority(child.pid, BACKGROUND_NICE);
    alongside.add(child);
    status = exitStatus(await exited(child));
    alongside.delete(child);
    console.log(`\n=== ${title} (ran alongside the unit tests; ended ${clock()}) ===\n`);
    process.stdout.write(fs.readFileSync(logFile, "utf8"));
  } else {
    console.log(`\n=== ${title} (${clock()}) ===\n`);
    status = await runChild(process.execPath, argv, env);
  }
  const report = readJson(reportFile);
  const counts = count(report);
  if (!report) counts.notes.push(noReport);
  if (status !== 0 && counts.failed === 0) {
    counts.failed += 1;
    counts.notes.push(`scripts/${script} exited with status ${status} without a failing ${failedUnit}`);
  }
  results.push({ name, ...counts });
}

const e2eSuite = () =>
  scriptSuite({
    name: "e2e",
    title: "End-to-end tests (playwright)",
    script: "e2e.mjs",
    reportEnv: "E2E_JSON_REPORT",
    count: countPlaywright,
    noReport: "Playwright did not run (see the [e2e] messages above)",
  });

// After e2e: it reuses that suite's production build.
const soakSuite = () =>
  scriptSuite({
    name: "soak",
    title: "Soak, one minute (two instances, every fault once)",
    script: "soak.mjs",
    args: ["--minutes", "1"],
    reportEnv: "SOAK_JSON_REPORT",
    count: countSoak,
    noReport: "the soak wrote no report (see the [soak] messages above)",
    failedUnit: "invariant",
  });

const quickstartSuite = ({ inBackground = false } = {}) =>
  scriptSuite({
    inBackground,
    name: "quickstart",
    title: "Quick start, end to end (npm run dev + playwright)",
    script: "e2e-quickstart.mjs",
    reportEnv: "QUICKSTART_JSON_REPORT",
    count: countPlaywright,
    noReport: "Playwright did not run (see the [quickstart] messages above)",
  });

try {
  // The quick start walks at a person's pace (pauses, waiting out send limits): most of its six
  // minutes the machine is idle, so it runs during the unit tests rather than after everything.
  const quickstart = runQuickstart && runUnit && !interrupted ? quickstartSuite({ inBackground: true }) : null;
  if (runUnit && !interrupted) await unitSuite();
  if (quickstart) await quickstart;
  if (runE2e && !interrupted) await e2eSuite();
  if (runSoak && !interrupted) await soakSuite();
  if (runQuickstart && !runUnit && !interrupted) await quickstartSuite();
} finally {
  for (const child of alongside) child.kill("SIGTERM");
  fs.rmSync(tmp, { recursive: true, force: true });
}

const ORDER = ["unit", "quickstart", "e2e", "soak"];
results.sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
const total = results.reduce(
  (sum, suite) => ({ passed: sum.passed + suite.passed, failed: sum.failed + suite.failed, skipped: sum.skipped + suite.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
const format = ({ passed, failed, skipped }) => `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;

console.log(`\n=== Summary (${clock()}, ${Math.round((Date.now() - startedAt) / 1000)} s in all) ===`);
for (const suite of results) {
  console.log(`  ${suite.name.padEnd(10)} ${format(suite)}`);
  for (const note of suite.notes) console.log(`             - ${note}`);
}
if (interrupted) console.log(`  interrupted by ${interrupted}`);
if (total.passed + total.failed === 0) console.log("  no tests ran");
console.log(format(total));

process.exitCode = total.failed > 0 || total.passed + total.failed === 0 || interrupted ? 1 : 0;
