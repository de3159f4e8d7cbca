import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { createAdmin, userIdByEmail } from "./helpers/admin";
import { expectNoSeriousAxeViolations } from "./helpers/axe";
import { queryDb } from "./helpers/db";
import { createUserViaApi, signIn } from "./helpers/flows";
import { AdminPage } from "./pages/AdminPage";

/**
 * The admin console (S8, issue 13): an admin finds a user, bans and unbans
 * them, edits their metadata with the diff before saving, impersonates them
 * and stops; every admin page is axe-clean; what was done is in the audit log.
 */
test.describe("admin console (S8)", () => {
  test("search, ban and unban, metadata with a diff, impersonate and stop, audit log; axe on every admin page", async ({ page, request }) => {
    const admin = await createAdmin(request);
    const target = await createUserViaApi(request, "managed");
    const targetId = await userIdByEmail(target.email);
    await signIn(page, admin);
    const console_ = new AdminPage(page);

    await page.goto("/admin");
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await expect(page.getByRole("figure", { name: /Sign-ups, sign-ins/ }).locator("svg").first()).toBeVisible();
    await expectNoSeriousAxeViolations(page, "/admin");

    await console_.open("Users");
    await console_.searchUsers(target.email.slice(0, 18));
    await expectNoSeriousAxeViolations(page, "/admin/users");
    await console_.openUser(target.email);
    await expectNoSeriousAxeViolations(page, "/admin/users/[id]");

    // Ban: every session of the user ends; unban lifts it.
    await console_.confirmAction("Ban", "Ban user");
    await expect(page.getByText("User banned and signed out everywhere.")).toBeVisible();
    await expect(console_.badge("Banned")).toBeVisible();
    const active = await queryDb<{ count: string }>(`SELECT count(*) FROM "Session" WHERE "userId" = $1 AND status = 'active'`, [targetId]);
    expect(Number(active[0]!.count)).toBe(0);
    await console_.confirmAction("Unban", "Unban");
    await expect(page.getByText("User unbanned.")).toBeVisible();
    await expect(console_.badge("Banned")).toBeHidden();

    // Metadata: invalid JSON is caught as typed; a valid change is shown as a diff, then saved.
    const metadata = page.getByRole("region", { name: "Metadata" });
    const editor = metadata.getByLabel("Public metadata (JSON)");
    await editor.fill("{plan");
    await expect(metadata.getByText(/Not valid JSON/)).toBeVisible();
    await expect(metadata.getByRole("button", { name: "Review changes" })).toBeDisabled();
    await editor.fill('{ "plan": "pro" }');
    await metadata.getByRole("button", { name: "Review changes" }).click();
    await expect(metadata.getByRole("region", { name: "Changes to save" })).toContainText('+   "plan": "pro"');
    await metadata.getByRole("button", { name: "Save public metadata" }).click();
    await expect(page.getByText("Public metadata saved.")).toBeVisible();
    const stored = await queryDb<{ publicMetadata: unknown }>(`SELECT "publicMetadata" FROM "User" WHERE id = $1`, [targetId]);
    expect(stored[0]!.publicMetadata).toEqual({ plan: "pro" });

    // Impersonate: the browser acts as the user, with a banner on every page; stopping returns here.
    await console_.confirmAction("Impersonate", "Impersonate");
    await page.waitForURL((url) => !url.pathname.startsWith("/admin"));
    const banner = page.getByRole("region", { name: /impersonat/i }).or(page.getByRole("status").filter({ hasText: /impersonat/i })).first();
    await expect(banner).toContainText(target.email);
    await page.goto("/account");
    await expect(banner).toContainText(target.email);
    await page.goto("/admin");
    await expect(page).not.toHaveURL(/\/admin/);
    await banner.getByRole("button", { name: "Stop impersonating" }).click();
    await page.waitForURL((url) => url.pathname === `/admin/users/${targetId}`);
    await expect(page.getByRole("heading", { level: 1, name: target.email })).toBeVisible();
    await expect(page.getByRole("button", { name: "Stop impersonating" })).toHaveCount(0);

    await console_.open("Audit log");
    await expectNoSeriousAxeViolations(page, "/admin/audit");
    const log = page.getByRole("table", { name: /Audit events/ });
    for (const type of ["user.banned", "user.unbanned", "user.metadata_updated", "impersonation.started", "impersonation.stopped"]) {
      await expect(log.getByText(type, { exact: true }).first()).toBeVisible();
    }
    // The export streams a CSV file as a download, as a person gets it.
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe("audit-log.csv");
    const csv = fs.readFileSync((await download.path())!, "utf8");
    expect(csv.split(/\r?\n/)[0]).toBe("createdAt,id,type,actorId,actorEmail,targetId,targetEmail,ip,userAgent,data");
    expect(csv).toContain("impersonation.started");

    await console_.open("Settings");
    await expectNoSeriousAxeViolations(page, "/admin/settings");
    await console_.open("Signing keys");
    await expectNoSeriousAxeViolations(page, "/admin/signing-keys");
  });

  test("a signed-in user who is not an admin never sees the console", async ({ page, request }) => {
    const user = await createUserViaApi(request, "notadmin");
    await signIn(page, user);
    await page.goto("/admin/users");
    await expect(page).not.toHaveURL(/\/admin/);
    const api = await page.request.get("/api/admin/users");
    expect(api.status()).toBe(403);
  });
});
