import { expect, type Locator, type Page } from "@playwright/test";

/** The "Check your email" step shown after asking for a code (sign-in and sign-up). */
export class EmailCodePage {
  readonly heading: Locator;
  readonly codeInput: Locator;
  readonly verifyButton: Locator;
  readonly resendButton: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Check your email" });
    this.codeInput = page.getByLabel("Verification code", { exact: true });
    this.verifyButton = page.getByRole("button", { name: "Verify code", exact: true });
    this.resendButton = page.getByRole("button", { name: /^Resend code/ });
    this.status = page.getByRole("status").first();
  }

  async expectShown(): Promise<void> {
    await expect(this.heading).toBeVisible();
    await expect(this.codeInput).toHaveAttribute("autocomplete", "one-time-code");
  }

  async enterCode(code: string): Promise<void> {
    await this.codeInput.fill(code);
    await this.verifyButton.click();
  }
}
