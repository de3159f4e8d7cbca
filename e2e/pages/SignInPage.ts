import { expect, type Locator, type Page } from "@playwright/test";

export class SignInPage {
  readonly heading: Locator;
  readonly emailInput: Locator;
  readonly passwordInput: Locator;
  readonly submitButton: Locator;
  readonly signUpLink: Locator;
  readonly emailCodeButton: Locator;
  readonly forgotPasswordLink: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { name: "Sign in", exact: true });
    this.emailInput = page.getByLabel("Email address", { exact: true });
    this.passwordInput = page.getByLabel("Password", { exact: true });
    this.submitButton = page.getByRole("button", { name: "Sign in", exact: true });
    this.signUpLink = page.getByRole("link", { name: "Sign up", exact: true });
    this.emailCodeButton = page.getByRole("button", { name: "Email me a sign-in code", exact: true });
    this.forgotPasswordLink = page.getByRole("link", { name: "Forgot password?", exact: true });
  }

  async goto(redirectUrl?: string): Promise<void> {
    const query = redirectUrl ? `?redirect_url=${encodeURIComponent(redirectUrl)}` : "";
    await this.page.goto(`/sign-in${query}`);
    await this.expectLoaded();
  }

  async expectLoaded(): Promise<void> {
    await expect(this.page).toHaveURL(/\/sign-in(\?|$)/);
    await expect(this.heading).toBeVisible();
  }

  /** The redirect_url query parameter of the current sign-in URL, decoded. */
  redirectUrl(): string | null {
    return new URL(this.page.url()).searchParams.get("redirect_url");
  }

  /** Fills the form and submits it (does not wait for the outcome). */
  async submit(email: string, password: string): Promise<void> {
    await this.emailInput.fill(email);
    await this.passwordInput.fill(password);
    await this.submitButton.click();
  }

  /** Signs in and waits until the browser has left the sign-in page. */
  async signIn(email: string, password: string): Promise<void> {
    await this.submit(email, password);
    await this.page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  }

  /** Asks for a sign-in email (code + magic link) for `email`; the code step follows. */
  async requestEmailCode(email: string): Promise<void> {
    await this.emailInput.fill(email);
    await this.emailCodeButton.click();
  }

  /** The form's error message (role=alert, or any text saying "incorrect"). */
  errorMessage(pattern: RegExp = /incorrect/i): Locator {
    return this.page.getByRole("alert").filter({ hasText: pattern }).or(this.page.getByText(pattern)).first();
  }
}
