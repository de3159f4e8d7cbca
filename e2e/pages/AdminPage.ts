import { expect, type Locator, type Page } from "@playwright/test";

/** The /admin console (S8): navigation, the users list and one user's page. */
export class AdminPage {
  readonly nav: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole("navigation", { name: "Admin" });
  }

  async open(section: "Overview" | "Users" | "Audit log" | "Settings" | "Webhooks" | "JWT templates" | "API keys" | "Signing keys"): Promise<void> {
    await this.nav.getByRole("link", { name: section, exact: true }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: section })).toBeVisible();
  }

  async searchUsers(text: string): Promise<void> {
    const search = this.page.getByRole("search", { name: "Users" });
    await search.getByLabel("Search").fill(text);
    await search.getByRole("button", { name: "Apply" }).click();
    await expect(this.page).toHaveURL((url) => url.searchParams.get("query") === text);
  }

  async openUser(linkText: string): Promise<void> {
    await this.page.getByRole("link", { name: linkText, exact: true }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: linkText })).toBeVisible();
  }

  /** Clicks an action on the user page and confirms it in the dialog that asks first. */
  async confirmAction(action: string, confirmLabel: string): Promise<void> {
    await this.page.getByRole("region", { name: "Actions" }).getByRole("button", { name: action, exact: true }).click();
    const dialog = this.page.getByRole("alertdialog");
    await dialog.getByRole("button", { name: confirmLabel, exact: true }).click();
    await expect(dialog).toBeHidden();
  }

  badge(text: string): Locator {
    return this.page.getByRole("main").locator("span", { hasText: new RegExp(`^${text}$`) }).first();
  }
}
