import { expect, type Locator, type Page, type Response } from "@playwright/test";

/** The routes a code field posts to: sign-in/sign-up codes and password-reset codes. */
const VERIFY_ROUTE = /^\/api\/auth\/(email\/verify-code|password-reset\/verify)$/;

export function isCodeVerification(response: Response): boolean {
  return response.request().method() === "POST" && VERIFY_ROUTE.test(new URL(response.url()).pathname);
}

/**
 * The "Check your email" step shown after asking for a code (sign-in and
 * sign-up). `codeInput` and `enterCode` also fit the reset-code step of
 * forgot password, which has the same field but no heading of its own.
 */
export class EmailCodePage {
  readonly heading: Locator;
  readonly codeInput: Locator;
  readonly verifyButton: Locator;
  readonly resendButton: Locator;
  readonly editEmailButton: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Check your email" });
    this.codeInput = page.getByLabel("Verification code", { exact: true });
    this.verifyButton = page.getByRole("button", { name: "Verify code", exact: true });
    this.resendButton = page.getByRole("button", { name: /^Resend code/ });
    this.editEmailButton = page.getByRole("button", { name: "Edit email address", exact: true });
    this.status = page.getByRole("status").first();
  }

  async expectShown(): Promise<void> {
    await expect(this.heading).toBeVisible();
    await expect(this.codeInput).toHaveAttribute("autocomplete", "one-time-code");
  }

  /**
   * Fills six digits, which submit by themselves, and waits for the outcome:
   * the server's answer, then the form no longer busy (signed in or on to the
   * next step, or the field cleared with an error). Clicking "Verify code"
   * here would race a button that is already busy or already gone.
   */
  async enterCode(code: string): Promise<void> {
    await Promise.all([this.page.waitForResponse(isCodeVerification), this.codeInput.fill(code)]);
    await expect(this.page.locator('form[aria-busy="true"]').filter({ has: this.codeInput })).toHaveCount(0);
  }
}
