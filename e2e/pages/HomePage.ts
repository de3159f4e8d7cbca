import { expect, type Locator, type Page } from "@playwright/test";

export class HomePage {
  readonly userMenuButton: Locator;

  constructor(readonly page: Page) {
    this.userMenuButton = page.getByRole("button", { name: "Open user menu" });
  }

  async goto(path = "/"): Promise<void> {
    await this.page.goto(path);
  }

  async expectSignedInAs(email: string): Promise<void> {
    await expect(this.page).toHaveURL((url) => url.pathname === "/");
    await expect(this.page.locator("body")).toContainText(`Signed in as ${email}`);
  }

  private menuItem(name: string): Locator {
    // A menu item by contract; a plain button with that name is accepted too.
    return this.page
      .getByRole("menuitem", { name, exact: true })
      .or(this.page.getByRole("button", { name, exact: true }))
      .first();
  }

  async openUserMenu(): Promise<void> {
    await this.userMenuButton.click();
  }

  /** Signs out of this session and waits for the app's own redirect to sign-in. */
  async signOut(): Promise<void> {
    await this.openUserMenu();
    await this.menuItem("Sign out").click();
    await this.waitForSignInPage();
  }

  /** Signs out of every session of the user and waits for the redirect to sign-in. */
  async signOutOfAllDevices(): Promise<void> {
    await this.openUserMenu();
    await this.menuItem("Sign out of all devices").click();
    await this.waitForSignInPage();
  }

  // The app navigates after its sign-out request; a test navigating before
  // that would race it ("navigation interrupted by another navigation").
  private async waitForSignInPage(): Promise<void> {
    await this.page.waitForURL((url) => url.pathname.startsWith("/sign-in"));
    await this.page.waitForLoadState("load");
  }
}
