import { expect, test, type Page } from "@playwright/test";
import { createAdmin } from "./helpers/admin";
import { expectNoSeriousAxeViolations } from "./helpers/axe";
import { cspViolationsOn, recordCspViolations } from "./helpers/csp";
import { signIn } from "./helpers/flows";

/**
 * The account pages and the admin console on a phone, light and dark (S7,
 * S8, S11): nothing scrolls sideways at 390 px (wide tables scroll inside
 * their own box), axe finds no serious or critical issue in dark mode (the
 * contrast of every colour), and the production CSP refuses nothing.
 */
const PAGES = [
  "/account",
  "/account/security",
  "/account/connected-accounts",
  "/account/devices",
  "/admin",
  "/admin/users",
  "/admin/audit",
  "/admin/settings",
  "/admin/signing-keys",
];

async function expectNoHorizontalOverflow(page: Page, what: string) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `${what}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`at 390 px, ${colorScheme}`, () => {
    test.use({ viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true, colorScheme });

    test("account and admin pages fit the screen, pass axe and raise no CSP violation", async ({ page, request }) => {
      const admin = await createAdmin(request, `layout-${colorScheme}`);
      const violations = await recordCspViolations(page);
      await signIn(page, admin);
      for (const path of [...PAGES, `/admin/users/${admin.id}`]) {
        await page.goto(path);
        await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
        await expectNoHorizontalOverflow(page, path);
        if (colorScheme === "dark") await expectNoSeriousAxeViolations(page, `${path} (dark)`);
        expect(await cspViolationsOn(page, violations), `CSP on ${path}`).toEqual([]);
      }
    });
  });
}
