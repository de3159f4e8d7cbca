import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

const EXCLUDE = ["node_modules/**", "e2e/**", "e2e-quickstart/**", ".next/**"];
// Tests that compare timings (enumeration) run last, after every other file: on a 2-core
// machine, parallel test files add noise larger than the gap they measure.
const TIMING_TESTS = "**/*.timing.test.ts";
// Files that change or inspect process-wide state, which worker threads share: process.chdir,
// and the threads in /proc/self/task (the hash pool's priority test).
const OWN_PROCESS = ["lib/config.test.ts", "lib/password/index.test.ts"];
// The main flows again on ONE database connection with the settings cache off, as the
// quick start runs them (embedded PGlite): pool behaviour the other projects cannot show
// (parallel transactions queueing for the one connection, a statement left waiting on it).
// A read through `db`, a settings or a branding read inside an open transaction is refused
// in every project (lib/db.ts: DbInsideTransactionError, cache or not), and the quick-start
// suite walks every way in on the real one-connection database; so this project keeps two
// files (31 before, about 330 worker-seconds of the unit suite on 2 cores).
const MAIN_FLOWS = [
  // Codes and links: every step of an attempt, from send to session, and the status polls.
  "lib/sign-in/email-flow.test.ts",
  // An import writes batches in parallel transactions: on one connection they queue.
  "lib/import/import.test.ts",
];

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(__dirname),
      // `server-only` throws outside a React Server environment; tests are server code.
      "server-only": path.resolve(__dirname, "test/server-only-stub.ts"),
    },
  },
  test: {
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/setup-env.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Worker threads, not forked processes: a test file's modules reach its worker over a
    // MessagePort instead of a pipe, about 10-13% less CPU and time on 2 cores (32 files:
    // 161 s / 256 s of CPU with forks, 146 s / 222 s with threads). The few files that need a
    // process of their own (process.chdir) are in the "process" project below.
    pool: "threads",
    // Vitest's default is one fewer than the CPUs: a single file at a time on a 2-core machine,
    // where most of a file's time is spent waiting on PostgreSQL. Each file has its own database
    // (test/setup-env.ts) and Redis prefix, so two at once is safe. On 2 cores, in fresh-clone CI
    // runs: one at a time 565-685 s, two 526-557 s, three 570 s (module loading contends for the CPU).
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: "main", include: ["**/*.test.ts", "**/*.test.tsx"], exclude: [...EXCLUDE, TIMING_TESTS, ...OWN_PROCESS] } },
      { extends: true, test: { name: "process", include: OWN_PROCESS, exclude: EXCLUDE, pool: "forks" } },
      {
        extends: true,
        test: {
          name: "one-connection",
          include: MAIN_FLOWS,
          exclude: EXCLUDE,
          env: { DATABASE_POOL_MAX: "1" },
          setupFiles: ["test/setup-env.ts", "test/setup-one-connection.ts"],
        },
      },
      {
        extends: true,
        test: { name: "timing", include: [TIMING_TESTS], exclude: EXCLUDE, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
