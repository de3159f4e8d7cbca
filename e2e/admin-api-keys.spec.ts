import { expect, test } from "@playwright/test";
import { createAdmin, userIdByEmail } from "./helpers/admin";
import { expectNoSeriousAxeViolations } from "./helpers/axe";
import { createUserViaApi, signIn } from "./helpers/flows";

/**
 * Backend API keys and actor tokens (S9, issue 14) in a real browser against
 * the production build: an admin creates a key (shown once, copyable), a
 * server uses it on /api/v1 through the real middleware, an actor-token link
 * opens an impersonation with the banner, and a revoked key gets 401.
 */
test.describe("admin API keys (S9)", () => {
  test("create a key shown once, call /api/v1 with it, open an actor-token link, revoke the key", async ({ page, request }) => {
    const admin = await createAdmin(request, "apikeys");
    const user = await createUserViaApi(request, "apikeys-user");
    const userId = await userIdByEmail(user.email);
    await signIn(page, admin);

    await page.goto("/admin/api-keys");
    await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
    await expectNoSeriousAxeViolations(page, "/admin/api-keys");

    await page.getByRole("button", { name: "Create key" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an API key" });
    await dialog.getByRole("button", { name: "Create key" }).click();
    await expect(dialog.getByText("Give the key a name")).toBeVisible();
    await dialog.getByLabel("Name").fill("E2E backend");
    await dialog.getByRole("button", { name: "Create key" }).click();

    const shown = page.getByRole("dialog", { name: "Copy your new key" });
    await expect(shown.getByText("You won't see this key again")).toBeVisible();
    const secret = await shown.getByLabel(/Secret key for/).inputValue();
    expect(secret).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    await expect(shown.getByRole("button", { name: "Copy key" })).toBeVisible();
    await expectNoSeriousAxeViolations(page, "the new key dialog");
    await shown.getByRole("button", { name: "Done" }).click();
    await expect(shown).toBeHidden();
    const row = page.getByRole("row", { name: /E2E backend/ });
    await expect(row.getByText(secret.slice(0, 12))).toBeVisible();
    await expect(page.getByText(secret)).toHaveCount(0);

    // A server's call: through the middleware (an sk_ bearer is not a session token) to the handler's key check.
    const authorization = `Bearer ${secret}`;
    const fetched = await request.get(`/api/v1/users/${userId}`, { headers: { authorization } });
    expect(fetched.status()).toBe(200);
    expect(await fetched.json()).toMatchObject({ object: "user", id: userId });
    expect((await request.get("/api/v1/openapi.json")).status()).toBe(200);

    // An actor token: the admin's browser opens the link and is impersonating, banner and all.
    const created = await request.post("/api/v1/actor_tokens", { headers: { authorization }, data: { user_id: userId, actor: { sub: admin.id } } });
    expect(created.status()).toBe(201);
    const { url } = (await created.json()) as { url: string };
    await page.goto(url);
    await expect(page).toHaveURL(/\/account$/);
    const banner = page.getByRole("region", { name: "Impersonation" });
    await expect(banner).toBeVisible();
    await banner.getByRole("button", { name: "Stop impersonating" }).click();
    await expect(banner).toBeHidden();
    // Used once: the same link is refused.
    await page.goto(url);
    await expect(page.getByRole("heading", { name: "This link has been used" })).toBeVisible();

    await page.goto("/admin/api-keys");
    const listed = page.getByRole("row", { name: /E2E backend/ });
    await listed.getByRole("button", { name: /Revoke/ }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Revoke key" }).click();
    await expect(listed.getByText(/Revoked/)).toBeVisible();
    const refused = await request.get(`/api/v1/users/${userId}`, { headers: { authorization } });
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ errors: [{ code: "authentication_invalid" }] });
  });
});
