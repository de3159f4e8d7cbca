import { expect, type Locator, type Page } from "@playwright/test";

/** /admin/webhooks (S9): the endpoint list, "Add endpoint", and one endpoint's page. */
export class WebhooksPage {
  constructor(readonly page: Page) {}

  async goto(): Promise<void> {
    await this.page.goto("/admin/webhooks");
    await expect(this.page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
  }

  /** Opens "Add endpoint", fills it in and saves; lands on the new endpoint's page and returns its id. */
  async addEndpoint(input: { url: string; description?: string; events?: string[] }): Promise<string> {
    await this.page.getByRole("button", { name: "Add endpoint" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Add endpoint" });
    await dialog.getByLabel("Endpoint URL").fill(input.url);
    if (input.description) await dialog.getByLabel("Description").fill(input.description);
    for (const type of input.events ?? []) await dialog.getByRole("checkbox", { name: type }).check();
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    await this.page.waitForURL(/\/admin\/webhooks\/whe_/);
    await expect(this.page.getByRole("heading", { level: 1, name: input.url })).toBeVisible();
    return new URL(this.page.url()).pathname.split("/").pop()!;
  }

  region(name: "Actions" | "Settings" | "Signing secret" | "Deliveries"): Locator {
    return this.page.getByRole("region", { name, exact: true });
  }

  /** Reveals the signing secret (the admin signed in moments ago: no step-up prompt) and returns it. */
  async revealSecret(): Promise<string> {
    const panel = this.region("Signing secret");
    await panel.getByRole("button", { name: "Reveal" }).click();
    const secret = panel.getByText(/^whsec_[A-Za-z0-9+/=]+$/);
    await expect(secret).toBeVisible();
    return (await secret.textContent())!;
  }

  async sendExample(type: string): Promise<void> {
    const panel = this.region("Deliveries");
    await panel.getByLabel("Event type").selectOption(type);
    await panel.getByRole("button", { name: "Send example" }).click();
    await expect(this.page.getByText(`Example ${type} event queued.`)).toBeVisible();
  }

  /** The delivery log's rows (one per delivery; an expanded one adds its details row). */
  deliveryRows(type: string): Locator {
    return this.region("Deliveries").getByRole("row").filter({ has: this.page.getByRole("button", { name: new RegExp(`^${type.replace(".", "\\.")}\\b`) }) });
  }
}
