import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { countPlaywright, countSoak, countVitest, errorSummary } from "./test-reports.mjs";

// A real Playwright JSON report (trimmed): one test passed, one failed an assertion, one timed out.
const playwrightFailed = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "playwright-failed.json"), "utf8"));

describe("countPlaywright", () => {
  it("counts the report and names each failed test with the first lines of its error, for the summary", () => {
    const counts = countPlaywright(playwrightFailed);
    expect(counts).toMatchObject({ passed: 1, failed: 2, skipped: 0 });
    expect(counts.notes).toHaveLength(2);
    const [assertion, timeout] = counts.notes;
    expect(assertion).toMatch(/^fail\.spec\.ts > fails: Error: expect\(received\)\.toEqual\(expected\)/);
    // The diff's received lines are where a list of problems (a 5xx, a console error) shows.
    expect(assertion).toContain('+   "HTTP 500 GET http://x/y",');
    expect(assertion).not.toContain("\u001b"); // no colours
    expect(assertion).not.toContain("test(\"fails\""); // nor the code frame
    expect(timeout).toBe("fail.spec.ts > times out: Test timeout of 500ms exceeded.");
  });

  it("lists at most five failures and says how many more", () => {
    const spec = (title: string) => ({ title, file: "a.spec.ts", tests: [{ results: [{ status: "failed", errors: [{ message: `Error: ${title}` }] }] }] });
    const report = { stats: { expected: 0, unexpected: 7 }, suites: [{ file: "a.spec.ts", specs: "abcdefg".split("").map(spec) }] };
    const counts = countPlaywright(report);
    expect(counts.failed).toBe(7);
    expect(counts.notes).toEqual([...["a", "b", "c", "d", "e"].map((t) => `a.spec.ts > ${t}: Error: ${t}`), "... and 2 more failed tests"]);
  });

  it("counts an error outside any test as a failure", () => {
    const counts = countPlaywright({ stats: { expected: 0, unexpected: 0 }, suites: [], errors: [{ message: "Error: config broke\n  at x" }] });
    expect(counts).toMatchObject({ passed: 0, failed: 1, notes: ["error outside tests: Error: config broke"] });
  });
});

describe("countVitest", () => {
  it("names failed tests and files that did not load", () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 1,
      numPendingTests: 1,
      testResults: [
        {
          name: path.join(process.cwd(), "lib/a.test.ts"),
          status: "failed",
          assertionResults: [{ status: "failed", fullName: "a > works", failureMessages: ["AssertionError: expected 1 to be 2\n    at lib/a.test.ts:3:5"] }],
        },
        { name: path.join(process.cwd(), "lib/b.test.ts"), status: "failed", message: "Cannot find module './x'\nmore", assertionResults: [] },
      ],
    };
    const counts = countVitest(report);
    expect(counts).toMatchObject({ passed: 3, failed: 2, skipped: 1 });
    expect(counts.notes).toEqual(["lib/b.test.ts: Cannot find module './x'", "lib/a.test.ts > a > works: AssertionError: expected 1 to be 2"]);
  });
});

describe("countSoak", () => {
  it("counts each invariant as one test", () => {
    const counts = countSoak({ invariants: [{ name: "no 5xx", ok: true }, { name: "every email arrived", ok: false }] });
    expect(counts).toMatchObject({ passed: 1, failed: 1, notes: ["invariant failed: every email arrived"] });
  });
});

describe("errorSummary", () => {
  it("keeps the message and the diff on one line, without stack lines", () => {
    expect(errorSummary("Error: boom\n\n    at f (x.ts:1:1)\n    at g (y.ts:2:2)")).toBe("Error: boom");
  });
});
