import { expect, type Locator, type Page } from "@playwright/test";
import { waitForEmail } from "../helpers/inbox";
import { EmailCodePage } from "./EmailCodePage";

export class SignUpPage {
  readonly heading: Locator;
  readonly emailInput: Locator;
  readonly passwordInput: Locator;
  readonly submitButton: Locator;
  readonly signInLink: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Create your account" });
    this.emailInput = page.getByLabel("Email address", { exact: true });
    this.passwordInput = page.getByLabel("Password", { exact: true });
    this.submitButton = page.getByRole("button", { name: "Create account", exact: true });
    this.signInLink = page.getByRole("link", { name: "Sign in", exact: true });
  }

  async goto(): Promise<void> {
    await this.page.goto("/sign-up");
    await expect(this.heading).toBeVisible();
  }

  async fill(email: string, password: string): Promise<void> {
    await this.emailInput.fill(email);
    await this.passwordInput.fill(password);
  }

  /** Fills the form and submits it (does not wait for the outcome). */
  async submit(email: string, password: string): Promise<void> {
    await this.fill(email, password);
    await this.submitButton.click();
  }

  /**
   * Signs up, enters the emailed verification code (read from the dev inbox,
   * S4) and waits until the browser has landed on `landing` (default `/`).
   */
  async signUp(email: string, password: string, landing = "/"): Promise<void> {
    await this.submit(email, password);
    const codeStep = new EmailCodePage(this.page);
    await codeStep.expectShown();
    const message = await waitForEmail(this.page.request, email, { template: "sign_up_code" });
    await codeStep.enterCode(message.code!);
    await this.page.waitForURL((url) => url.pathname === landing);
  }
}
