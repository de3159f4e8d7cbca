import { expect, test } from "@playwright/test";
import { createAdmin, userIdByEmail } from "./helpers/admin";
import { expectNoSeriousAxeViolations } from "./helpers/axe";
import { queryDb } from "./helpers/db";
import { createUserViaApi, signIn } from "./helpers/flows";

/**
 * JWT templates (S9, issue 14): an admin starts a template from the Supabase
 * preset, sees the live preview render the claims (for themself, then for a
 * user found by email), is told about an unknown shortcode as they type,
 * saves it with the project's HS256 secret, gets a token for their own
 * session through getToken({ template }), and deletes it. Every page axe-clean.
 */
test.describe("admin JWT templates (S9)", () => {
  test("Supabase preset: live preview, validation as you type, save, getToken, delete", async ({ page, request }) => {
    const admin = await createAdmin(request, "jwtadmin");
    const adminId = await userIdByEmail(admin.email);
    const other = await createUserViaApi(request, "jwtpreview");
    await signIn(page, admin);

    await page.goto("/admin/jwt-templates");
    await expect(page.getByRole("heading", { level: 1, name: "JWT templates" })).toBeVisible();
    await expect(page.getByText(/\/\.well-known\/openid-configuration$/).first()).toBeVisible();
    await expectNoSeriousAxeViolations(page, "/admin/jwt-templates");

    await page.getByRole("link", { name: "Supabase", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "New JWT template" })).toBeVisible();
    const claims = page.getByLabel("Claims (JSON)");
    await expect(claims).toHaveValue(/"role": "authenticated"/);
    await expect(page.getByLabel("Shared secret (HS256)")).toBeChecked();

    // The live preview renders the preset's claims for the admin.
    const payload = page.getByRole("region", { name: /Token payload/ });
    await expect(payload).toContainText('"role": "authenticated"');
    await expect(payload).toContainText(`"email": "${admin.email.toLowerCase()}"`);
    await expect(payload).toContainText(`"sub": "${adminId}"`);
    await expectNoSeriousAxeViolations(page, "/admin/jwt-templates/new?preset=supabase");

    // An unknown shortcode is caught as typed, with its JSON path; the template cannot be created.
    const presetClaims = await claims.inputValue();
    await claims.fill('{ "aud": "authenticated", "app": { "x": "{{user.foo}}" } }');
    await expect(page.getByText("Unknown shortcode {{user.foo}} at $.app.x")).toBeVisible();
    await expect(page.getByRole("button", { name: "Create template" })).toBeDisabled();
    await claims.fill(presetClaims);

    // Preview for another user, found by email.
    await page.getByLabel("Preview for another user").fill(other.email.slice(0, 20));
    await page.getByRole("list", { name: "Matching users" }).getByRole("button", { name: new RegExp(other.email.replace(/[.+]/g, "\\$&"), "i") }).click();
    await expect(payload).toContainText(`"email": "${other.email.toLowerCase()}"`);

    // Save with the project's JWT secret (a fresh sign-in counts as a recent verification).
    const name = `supabase-${Date.now().toString(36)}`;
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("HS256 secret").fill("super-secret-jwt-token-with-at-least-32-characters-long");
    await page.getByRole("button", { name: "Create template" }).click();
    await page.waitForURL(/\/admin\/jwt-templates\/jtmp_/);
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    const stored = await queryDb<{ algorithm: string; secretEncrypted: string; preset: string }>(`SELECT algorithm, "secretEncrypted", preset FROM "JwtTemplate" WHERE name = $1`, [name]);
    expect(stored[0]).toMatchObject({ algorithm: "HS256", preset: "supabase" });
    expect(stored[0]!.secretEncrypted).not.toContain("super-secret");
    await expectNoSeriousAxeViolations(page, "/admin/jwt-templates/[id]");

    // getToken({ template }) for the admin's own session, as an app would call it.
    await page.getByRole("button", { name: "Get a token for me" }).click();
    const decoded = page.getByRole("region", { name: "Decoded token payload" });
    await expect(decoded).toContainText('"aud": "authenticated"');
    await expect(decoded).toContainText(`"sub": "${adminId}"`);

    // Delete, after confirming.
    await page.getByRole("button", { name: "Delete template" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete template" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/jwt-templates");
    await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
    expect(await queryDb(`SELECT id FROM "JwtTemplate" WHERE name = $1`, [name])).toEqual([]);
  });
});
