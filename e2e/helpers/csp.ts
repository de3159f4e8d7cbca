import type { Page } from "@playwright/test";

declare global {
  interface Window {
    __cspViolations: string[];
  }
}

/** Starts recording CSP violations on `page` (events and console lines); read them with `cspViolationsOn`. */
export async function recordCspViolations(page: Page): Promise<string[]> {
  const console: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(message.text())) console.push(message.text());
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  return console;
}

/** The violations recorded so far on the current page, once it has loaded and settled. */
export async function cspViolationsOn(page: Page, consoleMessages: string[]): Promise<string[]> {
  // Not "networkidle": a signed-in page keeps refreshing its session token.
  await page.waitForLoadState("load");
  await page.waitForTimeout(750);
  return [...(await page.evaluate(() => window.__cspViolations)), ...consoleMessages];
}
