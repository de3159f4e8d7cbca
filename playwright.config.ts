import fs from "node:fs";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

/**
 * E2E config. Run through `npm run test:e2e` (scripts/e2e.mjs), which builds the
 * app, starts `next start` on a scratch database and sets E2E_BASE_URL.
 * Running `npx playwright test` directly targets E2E_BASE_URL or
 * http://localhost:3000 (e.g. `npm run dev`; token waits then take up to 60 s).
 * The quick-start walk (e2e-quickstart/) has its own config and runner (scripts/e2e-quickstart.mjs).
 */
const baseURL = process.env.E2E_BASE_URL ?? "http://localhost:3000";
const jsonReport = process.env.E2E_JSON_REPORT ?? path.join("playwright-report", "results.json");

// Playwright cannot download browsers on these machines: use Debian's chromium
// when present, else Playwright's own (a laptop with `npx playwright install`).
// Debian's is started through e2e/helpers/chromium.sh, which merges the --disable-features
// below into Playwright's own (Chromium keeps only the last such switch).
const debianChromium = fs.existsSync("/usr/bin/chromium");
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_PATH ?? (debianChromium ? path.resolve(__dirname, "e2e/helpers/chromium.sh") : undefined);

/**
 * The toolbar parts Chromium's headless mode still builds as WebUI pages for every new window
 * (every browser context): the omnibox popups and their preloading. Without them the e2e suite
 * spends about a third less CPU per context (e2e/helpers/chromium.sh).
 */
const UNSEEN_TOOLBAR_FEATURES = [
  "WebUIOmniboxPopup",
  "WebUIOmniboxAimPopup",
  "WebUIOmniboxFullPopup",
  "PreloadTopChromeWebUI",
  "WebUIReloadButton",
];

/** Chromium as these machines run it; shared with e2e-quickstart/playwright.config.ts. */
export const chromiumLaunchOptions = {
  executablePath,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    // Only through the wrapper: given straight to Chromium it would replace Playwright's list.
    ...(executablePath?.endsWith("chromium.sh") ? [`--disable-features=${UNSEEN_TOOLBAR_FEATURES.join(",")}`] : []),
  ],
};

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results",
  fullyParallel: true,
  // Two cores here: two browsers plus the server is the most that stays steady.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  // Token-expiry specs wait out a session token (4 s under e2e.mjs, 60 s by default).
  timeout: 120_000,
  // Behaviour, not speed: on a 2-core CI machine running the server and two browsers, a
  // sign-up's answer can take over 10 s to show.
  expect: { timeout: 20_000 },
  reporter: [["list"], ["json", { outputFile: jsonReport }]],
  use: {
    baseURL,
    // Recording a trace (DOM snapshots, screencast) costs about a quarter of the suite's CPU;
    // on CI the failure's screenshot and error-context.md remain. E2E_TRACE=retain-on-failure brings it back.
    trace: (process.env.E2E_TRACE as "off" | "retain-on-failure" | "on" | undefined) ?? (process.env.CI ? "off" : "retain-on-failure"),
    screenshot: "only-on-failure",
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    {
      name: "chromium",
      testIgnore: "exclusive/**",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: chromiumLaunchOptions,
      },
    },
    {
      // Specs that change instance-wide settings (multi-session, branding): they run after
      // every other spec, one at a time, so no parallel spec sees a setting it did not expect.
      name: "exclusive",
      testMatch: "exclusive/**/*.spec.ts",
      dependencies: ["chromium"],
      fullyParallel: false,
      // One file at a time too: two instance-wide specs side by side see each other's settings
      // (a brand-colour check flaked in CI while the phone and passkey specs saved theirs).
      workers: 1,
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: chromiumLaunchOptions,
      },
    },
  ],
});
