import { expect, test } from "@playwright/test";
import { Webhook } from "svix";
import { createAdmin } from "./helpers/admin";
import { expectNoSeriousAxeViolations } from "./helpers/axe";
import { signIn } from "./helpers/flows";
import { startReceiver } from "./helpers/webhook-receiver";
import { WebhooksPage } from "./pages/WebhooksPage";

/**
 * Webhooks in the admin console (S9, issue 14): an admin adds an endpoint,
 * reveals its secret, sends an example that the official svix verifier
 * accepts, sees it delivered in the log with its payload and attempt, and
 * replays it (same svix-id). Every webhook page is axe-clean.
 */
test.describe("admin webhooks (S9)", () => {
  test("add an endpoint, send an example the receiver verifies with svix, see it in the log, replay it", async ({ page, request }) => {
    const receiver = await startReceiver();
    try {
      const admin = await createAdmin(request, "webhooks");
      await signIn(page, admin);
      const webhooks = new WebhooksPage(page);

      await webhooks.goto();
      await expectNoSeriousAxeViolations(page, "/admin/webhooks");

      // The dialog checks the URL on the server: a bad one is a field error, and nothing is added.
      await page.getByRole("button", { name: "Add endpoint" }).click();
      const dialog = page.getByRole("dialog", { name: "Add endpoint" });
      await dialog.getByLabel("Endpoint URL").fill("ftp://files.example.com/in");
      await expectNoSeriousAxeViolations(page, "Add endpoint dialog");
      await dialog.getByRole("button", { name: "Add endpoint" }).click();
      await expect(dialog.getByText("The URL must start with https:// or http://.")).toBeVisible();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await expect(dialog).toBeHidden();

      // Subscribed to SMS only: specs running alongside create users and sessions all the time, and
      // their real events must not reach this receiver (an example is sent whatever the filter).
      const endpointId = await webhooks.addEndpoint({ url: receiver.url, description: "E2E receiver", events: ["sms.created"] });
      expect(endpointId).toMatch(/^whe_/);
      await expect(webhooks.region("Settings").getByRole("checkbox", { name: "sms.created" })).toBeChecked();
      await expect(webhooks.region("Settings").getByRole("checkbox", { name: "user.created" })).not.toBeChecked();
      await expectNoSeriousAxeViolations(page, "/admin/webhooks/[id]");

      const secret = await webhooks.revealSecret();
      expect(secret).toMatch(/^whsec_/);

      // Send example: delivered (the log follows it by itself), and the receiver's svix check passes.
      await webhooks.sendExample("user.created");
      const row = webhooks.deliveryRows("user.created").first();
      await expect(row.getByText("Delivered")).toBeVisible({ timeout: 20_000 });
      await expect(row.getByRole("cell", { name: "200" })).toBeVisible();
      await expect.poll(() => receiver.received.length).toBeGreaterThanOrEqual(1);
      const delivery = receiver.received[0]!;
      const headers = {
        "svix-id": String(delivery.headers["svix-id"]),
        "svix-timestamp": String(delivery.headers["svix-timestamp"]),
        "svix-signature": String(delivery.headers["svix-signature"]),
      };
      expect(() => new Webhook(secret).verify(delivery.body, headers)).not.toThrow();
      expect(() => new Webhook(secret).verify(delivery.body.replace("user.created", "user.deleted"), headers)).toThrow();
      expect(JSON.parse(delivery.body)).toMatchObject({ type: "user.created", object: "event", data: { object: "user" } });

      // Expand it: the payload as sent and the attempt with the receiver's answer.
      await row.getByRole("button", { name: /^user\.created\b/ }).click();
      const details = webhooks.region("Deliveries").getByRole("row").filter({ has: page.getByRole("region", { name: "Payload of user.created" }) });
      await expect(details.getByRole("region", { name: "Payload of user.created" })).toContainText('"type": "user.created"');
      await expect(details.getByText(headers["svix-id"])).toBeVisible();
      await expect(details.getByRole("table", { name: /Attempts/ })).toContainText("thanks");
      await expectNoSeriousAxeViolations(page, "/admin/webhooks/[id] with a delivery expanded");

      // Replay: a new delivery with the same svix-id and body.
      await details.getByRole("button", { name: "Replay" }).click();
      await expect(page.getByText("Replay of user.created queued.")).toBeVisible();
      const sameMessage = () => receiver.received.filter((received) => received.headers["svix-id"] === headers["svix-id"]);
      await expect.poll(() => sameMessage().length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      const replayed = sameMessage()[1]!;
      expect(replayed.headers["svix-id"]).toBe(headers["svix-id"]);
      expect(replayed.body).toBe(delivery.body);
      await expect(webhooks.deliveryRows("user.created").getByText("Delivered")).toHaveCount(2, { timeout: 20_000 });

      // The list shows the endpoint and its last delivery.
      await webhooks.goto();
      const listed = page.getByRole("row").filter({ has: page.getByRole("link", { name: receiver.url }) });
      await expect(listed).toContainText("Active");
      await expect(listed).toContainText("Delivered");
      await expect(listed).toContainText("HTTP 200");
    } finally {
      await receiver.close();
    }
  });
});
