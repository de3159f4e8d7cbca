import { expect, test, type Page, type Response } from "@playwright/test";
import { cspViolationsOn as violationsOn, recordCspViolations as recordViolations } from "./helpers/csp";
import { createUserViaApi, signIn } from "./helpers/flows";
import { SignUpPage } from "./pages/SignUpPage";

/**
 * S10 headers in the production build, in a real browser: every page carries
 * the CSP with a fresh nonce and the fixed headers, and Next.js's own scripts
 * and styles run under that CSP (pages hydrate, zero CSP violations).
 */
function expectSecurityHeaders(response: Response | null): string {
  expect(response, "document response").not.toBeNull();
  const headers = response!.headers();
  const csp = headers["content-security-policy"] ?? "";
  const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("unsafe-eval"); // production build
  expect(csp).not.toContain("unsafe-inline");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"]).toContain("camera=()");
  expect(headers["strict-transport-security"]).toContain("max-age="); // NODE_ENV=production
  return nonce!;
}

test.describe("security headers and CSP in the production build", () => {
  test("sign-in and sign-up pages: headers, a fresh nonce per load, nonce'd scripts, no CSP violations", async ({ page }) => {
    const consoleMessages = await recordViolations(page);
    const first = expectSecurityHeaders(await page.goto("/sign-in"));
    const response = await page.goto("/sign-in");
    const again = expectSecurityHeaders(response);
    expect(again).not.toBe(first);
    // Next.js stamped the request's nonce on every script of the page it rendered. Chunks its
    // runtime loads later (a prefetched link's route) carry none and need none: 'strict-dynamic'
    // trusts what nonce'd scripts load, and the violation check below would catch anything else.
    const html = await response!.text();
    const scriptTags = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scriptTags.length).toBeGreaterThan(0);
    expect(scriptTags.filter((tag) => !tag.includes(`nonce="${again}"`))).toEqual([]);
    expect(await violationsOn(page, consoleMessages)).toEqual([]);

    expectSecurityHeaders(await page.goto("/sign-up"));
    // Hydrated: typing a password loads the strength meter on demand (a chunk loaded by a nonce'd script).
    const signUp = new SignUpPage(page);
    await signUp.passwordInput.fill("correct horse battery staple 42");
    await expect(page.getByText(/strong|good|fair|weak/i).first()).toBeVisible();
    expect(await violationsOn(page, consoleMessages)).toEqual([]);

    // Control: the CSP is enforced and the recorder sees violations (an injected inline style attribute).
    await page.evaluate(() => document.body.setAttribute("style", "outline: 1px solid red"));
    await expect.poll(() => page.evaluate(() => window.__cspViolations.join(" "))).toMatch(/style-src/);
  });

  test("signing in through the form and the signed-in home page run without CSP violations", async ({ page, request }) => {
    const user = await createUserViaApi(request, "csp");
    const consoleMessages = await recordViolations(page);
    await signIn(page, user); // the form submits with fetch: only works once hydrated
    expect(await violationsOn(page, consoleMessages)).toEqual([]);
    expectSecurityHeaders(await page.goto("/"));
    expect(await violationsOn(page, consoleMessages)).toEqual([]);
  });

  test("API responses and middleware redirects carry the headers too", async ({ request }) => {
    const api = await request.get("/api/auth/session", { maxRedirects: 0 });
    expect(api.status()).toBe(401);
    expect(api.headers()["x-content-type-options"]).toBe("nosniff");
    expect(api.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    const redirect = await request.get("/", { maxRedirects: 0 });
    expect(redirect.status()).toBe(307);
    expect(redirect.headers()["x-frame-options"]).toBe("DENY");
  });
});
