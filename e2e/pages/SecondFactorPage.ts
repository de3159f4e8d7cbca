import { expect, type Locator, type Page } from "@playwright/test";

const isSecondFactorVerification = (url: URL) => url.pathname === "/api/auth/mfa/verify";

/** The second step of signing in (S6), after any first factor: authenticator code, backup code or text message. */
export class SecondFactorPage {
  readonly heading: Locator;
  readonly codeInput: Locator;
  readonly backupCodeInput: Locator;
  readonly verifyButton: Locator;
  readonly useBackupCodeButton: Locator;
  readonly useAuthenticatorButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Two-step verification" });
    this.codeInput = page.getByLabel("Verification code", { exact: true });
    this.backupCodeInput = page.getByLabel("Backup code", { exact: true });
    this.verifyButton = page.getByRole("button", { name: "Verify", exact: true });
    this.useBackupCodeButton = page.getByRole("button", { name: "Use a backup code instead" });
    this.useAuthenticatorButton = page.getByRole("button", { name: "Use your authenticator app" });
  }

  /** Shown with the authenticator code field focused (the default method). */
  async expectShown(): Promise<void> {
    await expect(this.heading).toBeVisible();
    await expect(this.codeInput).toBeFocused();
    await expect(this.codeInput).toHaveAttribute("autocomplete", "one-time-code");
  }

  /** Six digits submit by themselves; waits for the server's answer. */
  async enterCode(code: string): Promise<void> {
    await Promise.all([this.page.waitForResponse((response) => isSecondFactorVerification(new URL(response.url()))), this.codeInput.fill(code)]);
  }

  async enterBackupCode(code: string): Promise<void> {
    await this.useBackupCodeButton.click();
    await expect(this.backupCodeInput).toBeFocused();
    await this.backupCodeInput.fill(code);
    await Promise.all([this.page.waitForResponse((response) => isSecondFactorVerification(new URL(response.url()))), this.verifyButton.click()]);
  }
}
