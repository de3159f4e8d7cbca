import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { chromiumLaunchOptions } from "../playwright.config";

/**
 * The quick-start walk: run through `npm run test:quickstart` (scripts/e2e-quickstart.mjs),
 * which starts `npm run dev`'s runner on a fresh data dir and sets QUICKSTART_BASE_URL.
 * `next dev` compiles each page and route on its first visit (tens of seconds on 2 cores),
 * hence the generous timeouts; one worker, one browser, one walk.
 */
export default defineConfig({
  testDir: ".",
  testMatch: "**/*.spec.ts",
  outputDir: path.join("..", "test-results", "quickstart"),
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  // Per step: compiles, the pauses and, at forgot password, waiting out the 3-sends-per-10-min limit.
  timeout: 20 * 60_000,
  expect: { timeout: 90_000 },
  reporter: [
    ["list"],
    ["json", { outputFile: process.env.QUICKSTART_JSON_REPORT ?? path.join("..", "playwright-report", "quickstart-results.json") }],
  ],
  use: {
    baseURL: process.env.QUICKSTART_BASE_URL ?? "http://localhost:3000",
    actionTimeout: 90_000,
    navigationTimeout: 180_000,
  },
  projects: [{ name: "quickstart", use: { ...devices["Desktop Chrome"], launchOptions: chromiumLaunchOptions } }],
});
