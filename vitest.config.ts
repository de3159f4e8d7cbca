import path from "node:path";
import { defineConfig } from "vitest/config";

const EXCLUDE = ["node_modules/**", "e2e/**", ".next/**"];
// Tests that compare timings (enumeration) run last, after every other file: on a 2-core
// machine, parallel test files add noise larger than the gap they measure.
const TIMING_TESTS = "**/*.timing.test.ts";

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
    pool: "forks",
    projects: [
      { extends: true, test: { name: "main", include: ["**/*.test.ts", "**/*.test.tsx"], exclude: [...EXCLUDE, TIMING_TESTS] } },
      {
        extends: true,
        test: { name: "timing", include: [TIMING_TESTS], exclude: EXCLUDE, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
