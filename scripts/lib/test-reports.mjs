// How `npm test` (scripts/test-all.mjs) counts each suite's JSON report, and what it says about
// failures in the summary: the summary is the end of CI's output, often the only part kept, so
// it names each failed test and the first lines of its error.
import path from "node:path";

/** Vitest JSON (Jest-compatible) -> counts. Files that failed to load count as one failure each. */
export function countVitest(report) {
  const counts = { passed: 0, failed: 0, skipped: 0, notes: [] };
  if (!report) return counts;
  counts.passed = report.numPassedTests ?? 0;
  counts.failed = report.numFailedTests ?? 0;
  counts.skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const failures = [];
  for (const file of report.testResults ?? []) {
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    for (const test of failedTests) {
      const name = test.fullName ?? [...(test.ancestorTitles ?? []), test.title].join(" > ");
      failures.push(`${path.relative(process.cwd(), file.name)} > ${name}: ${errorSummary(test.failureMessages?.[0])}`);
    }
    if (file.status === "failed" && failedTests.length === 0) {
      counts.failed += 1;
      counts.notes.push(`${path.relative(process.cwd(), file.name)}: ${firstLine(file.message) || "failed to run"}`);
    }
  }
  counts.notes.push(...listed(failures));
  return counts;
}

/** Playwright JSON -> counts (flaky = passed on retry, counted as passed). */
export function countPlaywright(report) {
  const counts = { passed: 0, failed: 0, skipped: 0, notes: [] };
  if (!report) return counts;
  const stats = report.stats ?? {};
  counts.passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
  counts.failed = stats.unexpected ?? 0;
  counts.skipped = stats.skipped ?? 0;
  if (stats.flaky) counts.notes.push(`${stats.flaky} flaky (passed on retry)`);
  counts.notes.push(...listed(failedTests(report.suites ?? [])));
  // Interrupted tests (Ctrl+C, global timeout) are reported as skipped: they did not pass.
  const interruptedTests = countInterrupted(report.suites ?? []);
  if (interruptedTests) {
    counts.skipped = Math.max(0, counts.skipped - interruptedTests);
    counts.failed += interruptedTests;
    counts.notes.push(`${interruptedTests} interrupted`);
  }
  // Errors outside any test (config, global setup, worker crash).
  const globalErrors = report.errors ?? [];
  if (globalErrors.length && counts.failed === 0) {
    counts.failed += 1;
    counts.notes.push(`error outside tests: ${firstLine(globalErrors[0]?.message)}`);
  }
  return counts;
}

function countInterrupted(suites) {
  let count = 0;
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.results?.at(-1)?.status === "interrupted") count += 1;
      }
    }
    count += countInterrupted(suite.suites ?? []);
  }
  return count;
}

/** "file > title: first lines of the error" for each test whose last attempt failed or timed out. */
function failedTests(suites, found = []) {
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const last = test.results?.at(-1);
        if (!last || !["failed", "timedOut"].includes(last.status)) continue;
        const error = last.errors?.[0]?.message ?? last.error?.message ?? last.status;
        found.push(`${spec.file ?? suite.file ?? ""} > ${spec.title}: ${errorSummary(error)}`);
      }
    }
    failedTests(suite.suites ?? [], found);
  }
  return found;
}

const MAX_LISTED = 5;

/** At most MAX_LISTED failures, then how many more. */
function listed(failures) {
  const shown = failures.slice(0, MAX_LISTED);
  if (failures.length > MAX_LISTED) shown.push(`... and ${failures.length - MAX_LISTED} more failed tests`);
  return shown;
}

/**
 * An error message on one line: its first lines without colours, the code frame or the stack
 * (an assertion's message, then the diff, where a list of problems shows as "+ ..." lines).
 */
export function errorSummary(text, { lines = 10, maxLength = 700 } = {}) {
  return String(text ?? "")
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !/^(>?\s*\d+ \||\||at )/.test(line))
    .slice(0, lines)
    .join(" | ")
    .slice(0, maxLength);
}

function firstLine(text) {
  return String(text ?? "")
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .find((line) => line.trim())
    ?.trim()
    .slice(0, 200);
}

/** The soak's report -> counts: each invariant is one test. */
export function countSoak(report) {
  const counts = { passed: 0, failed: 0, skipped: 0, notes: [] };
  for (const invariant of report?.invariants ?? []) {
    if (invariant.ok) counts.passed += 1;
    else {
      counts.failed += 1;
      counts.notes.push(`invariant failed: ${invariant.name}`);
    }
  }
  return counts;
}
