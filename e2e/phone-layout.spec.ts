import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { SignInPage } from "./pages/SignInPage";

/**
 * Phones (S11): no auth page scrolls sideways at 320 or 390 px, even with a
 * 60-character email address in it (typed in the field, and shown back on the
 * "Check your email" step and in errors).
 */
/** A fresh 60-character address per test: two tests in one worker must not share the 30 s resend cooldown. */
const longEmail = () => `${"a-very-long-mailbox-name-for".padEnd(43, "x")}-${crypto.randomBytes(2).toString("hex")}@example.com`.slice(0, 60);

async function expectNoHorizontalOverflow(page: Page, what: string) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, `${what}: page is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
}

for (const width of [320, 390]) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 740 }, isMobile: true, hasTouch: true });

    test("sign-in, its code step, sign-up, forgot and reset password, and the confirm page fit the screen", async ({ page }) => {
      const LONG_EMAIL = longEmail();
      expect(LONG_EMAIL).toHaveLength(60);
      const signIn = new SignInPage(page);
      await signIn.goto();
      await signIn.emailInput.fill(LONG_EMAIL);
      await expectNoHorizontalOverflow(page, "/sign-in with a long email");
      await signIn.emailCodeButton.click();
      await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
      await expect(page.getByText(LONG_EMAIL)).toBeVisible();
      await expectNoHorizontalOverflow(page, "the code step showing a long email");

      await page.goto("/sign-up");
      await page.getByLabel("Email address", { exact: true }).fill(LONG_EMAIL);
      await expectNoHorizontalOverflow(page, "/sign-up");

      await page.goto(`/forgot-password?email=${encodeURIComponent(LONG_EMAIL)}`);
      await expectNoHorizontalOverflow(page, "/forgot-password");

      for (const path of ["/reset-password?token=not-a-token", "/sign-in/confirm?token=not-a-token", "/no-such-page"]) {
        await page.goto(path);
        await expectNoHorizontalOverflow(page, path);
      }
    });
  });
}
