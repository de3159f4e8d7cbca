import { expect, type Locator, type Page } from "@playwright/test";

/** /account/security (S6): two-step verification, backup codes, text-message codes, password, and the step-up prompt. */
export class SecurityPage {
  readonly heading: Locator;
  readonly twoStep: Locator;
  readonly password: Locator;
  readonly reverifyDialog: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Security", level: 1 });
    this.twoStep = page.getByRole("region", { name: "Two-step verification" });
    this.password = page.getByRole("region", { name: /^(Change password|Set a password)$/ });
    this.reverifyDialog = page.getByRole("dialog", { name: /Confirm it.s you/ });
  }

  async goto(): Promise<void> {
    await this.page.goto("/account/security");
    await expect(this.heading).toBeVisible();
  }

  /** "Set up" an authenticator app; returns the setup key as the page shows it, without spaces. */
  async startAuthenticatorSetup(): Promise<string> {
    await this.twoStep.getByRole("button", { name: "Set up", exact: true }).click();
    await expect(this.twoStep.getByRole("img", { name: /QR code/ })).toBeVisible();
    const key = (await this.twoStep.locator("[data-setup-key]").textContent()) ?? "";
    return key.replace(/\s+/g, "");
  }

  /** Six digits confirm the setup by themselves; two-step verification is then on. */
  async confirmAuthenticator(code: string): Promise<void> {
    await this.twoStep.getByLabel("Verification code", { exact: true }).fill(code);
    await expect(this.twoStep.getByText("On", { exact: true })).toBeVisible();
  }

  /** The 10 backup codes shown once after turning two-step verification on. */
  async savedBackupCodes(): Promise<string[]> {
    const list = this.twoStep.getByRole("list", { name: "Backup codes" });
    await expect(list.getByRole("listitem")).toHaveCount(10);
    const codes = (await list.getByRole("listitem").allTextContents()).map((code) => code.trim());
    await this.twoStep.getByRole("button", { name: "I’ve saved them" }).click();
    await expect(list).toHaveCount(0);
    return codes;
  }

  /** Fills the new password and submits (a step-up prompt may follow). */
  async submitNewPassword(password: string): Promise<void> {
    await this.password.getByLabel("New password", { exact: true }).fill(password);
    await this.password.getByRole("button", { name: /^(Change password|Set a password)$/ }).click();
  }
}
