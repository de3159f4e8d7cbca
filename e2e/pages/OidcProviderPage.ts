import { expect, type Page } from "@playwright/test";

/**
 * The test OpenID provider's own pages (oidc-provider's development login
 * form, scripts/e2e.mjs starts it). The login names the account; its address
 * says what the provider claims (test/oidc-provider.ts): "+unverified" ->
 * email_verified false, "+noclaim" -> no claim.
 */
export class OidcProviderPage {
  readonly origin: string;

  constructor(readonly page: Page) {
    const issuer = process.env.E2E_OIDC_ISSUER;
    if (!issuer) throw new Error("E2E_OIDC_ISSUER is not set: run the OAuth specs through `npm run test:e2e`");
    this.origin = new URL(issuer).origin;
  }

  /**
   * After a click on a provider button on `from` (the portal page's URL): the
   * provider's login form, unless the provider still remembers this browser
   * and sends it straight back.
   */
  async logInIfAsked(login: string, from: string): Promise<void> {
    await this.page.waitForURL(
      (url) => (url.origin === this.origin && url.pathname.startsWith("/interaction/")) || (url.origin !== this.origin && url.href !== from),
      { waitUntil: "commit" },
    );
    if (new URL(this.page.url()).origin !== this.origin) return;
    await this.logIn(login);
  }

  async logIn(login: string): Promise<void> {
    await expect(this.page).toHaveURL((url) => url.origin === this.origin && url.pathname.startsWith("/interaction/"));
    await this.page.locator('input[name="login"]').fill(login);
    await this.page.locator('input[name="password"]').fill("any password");
    await this.page.getByRole("button", { name: "Sign-in" }).click();
    await this.page.waitForURL((url) => url.origin !== this.origin, { waitUntil: "commit" });
  }

  async cancel(): Promise<void> {
    await expect(this.page).toHaveURL((url) => url.origin === this.origin && url.pathname.startsWith("/interaction/"));
    await this.page.getByRole("link", { name: "[ Cancel ]" }).click();
    await this.page.waitForURL((url) => url.origin !== this.origin, { waitUntil: "commit" });
  }
}
