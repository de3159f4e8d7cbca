import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { postAsPage } from "./helpers/api";
import { queryDb } from "./helpers/db";
import { createUserViaApi } from "./helpers/flows";
import { waitForEmail } from "./helpers/inbox";
import { uniqueEmail, type TestUser } from "./helpers/users";
import { SignInPage } from "./pages/SignInPage";

/**
 * Account page sections of issue 12 end to end: email addresses (add, verify
 * by the emailed code, make primary: the old primary is told), active devices
 * (two browser contexts, sign the other out: it is signed out once its
 * 4-second token needs a refresh), delete account (typed confirmation, the
 * step-up prompt, then /sign-in), and axe on /account/devices.
 */

/** Where the email-address and delete-account sections live. */
const ACCOUNT_PAGE = "/account";

async function signInAt(page: Page, user: TestUser, path: string): Promise<void> {
  const signInPage = new SignInPage(page);
  await signInPage.goto(path);
  await signInPage.signIn(user.email, user.password);
  await expect(page).toHaveURL((url) => url.pathname === path);
}

async function newSignedInPage(browser: Browser, user: TestUser, path: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAt(page, user, path);
  return page;
}

test.describe("account: email addresses, devices, delete (S7)", () => {
  test("add and verify a second email, make it primary; the old primary is notified", async ({ page, request }) => {
    const user = await createUserViaApi(request, "emails");
    await signInAt(page, user, ACCOUNT_PAGE);
    const section = page.getByRole("region", { name: "Email addresses" });
    const list = section.getByRole("list", { name: "Email addresses" });
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await expect(list.getByRole("listitem").first()).toContainText("Primary");

    const second = uniqueEmail("second");
    await section.getByRole("button", { name: "Add email address" }).click();
    await section.getByLabel("New email address").fill(second);
    await section.getByRole("button", { name: "Add", exact: true }).click();

    const secondRow = list.getByRole("listitem").filter({ hasText: second });
    await expect(secondRow).toContainText("Unverified");
    const message = await waitForEmail(request, second, { template: "verify_email" });
    const codeField = secondRow.getByLabel("Verification code", { exact: true });
    await expect(codeField).toBeFocused();
    await codeField.fill(message.code!);
    await expect(secondRow).toContainText("Verified");
    await expect(secondRow).not.toContainText("Unverified");

    await secondRow.getByRole("button", { name: `Make primary ${second}` }).click();
    const dialog = page.getByRole("alertdialog", { name: "Change your primary address?" });
    await dialog.getByRole("button", { name: "Make primary" }).click();
    await expect(list.getByRole("listitem").first()).toContainText(second);
    await expect(list.getByRole("listitem").first()).toContainText("Primary");

    // S4: the old primary address hears about the change.
    const notice = await waitForEmail(request, user.email, { template: "primary_email_changed" });
    expect(notice.subject).toMatch(/email address was changed/);

    // Survives a reload: the server has it.
    await page.reload();
    await expect(page.getByRole("list", { name: "Email addresses" }).getByRole("listitem").first()).toContainText(second);
  });

  test("two devices: sign the other one out; it is signed out at its next refresh; axe on /account/devices", async ({ browser, request }) => {
    const user = await createUserViaApi(request, "devices");
    // The API sign-up opened a session of its own: end it, so the two browsers are the only devices.
    expect((await postAsPage(request, "/api/auth/sign-out", {})).status()).toBe(200);
    const other = await newSignedInPage(browser, user, "/account/devices");
    const mine = await newSignedInPage(browser, user, "/account/devices");

    const section = mine.getByRole("region", { name: "Active devices" });
    const devices = section.getByRole("list", { name: "Active devices" }).getByRole("listitem");
    await expect(devices).toHaveCount(2);
    await expect(devices.first()).toContainText("This device");
    await expect(devices.nth(1)).not.toContainText("This device");

    const { violations } = await new AxeBuilder({ page: mine }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
    expect(serious, "axe on /account/devices").toEqual([]);

    await devices.nth(1).getByRole("button", { name: /^Sign out of / }).click();
    await mine.getByRole("alertdialog").getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(devices).toHaveCount(1);
    await expect(section).toContainText("You’re not signed in anywhere else.");

    // The other browser keeps a token for at most its 4-second life; its next refresh finds the session revoked.
    await other.waitForTimeout(5_000);
    await other.reload();
    await expect(other).toHaveURL(/\/sign-in(\?|$)/, { timeout: 15_000 });

    // This one is still signed in.
    await mine.reload();
    await expect(mine.getByRole("region", { name: "Active devices" })).toBeVisible();
    await other.context().close();
    await mine.context().close();
  });

  test("delete the account with the typed confirmation (after confirming it's you) and land on /sign-in", async ({ page, request }) => {
    const user = await createUserViaApi(request, "delete");
    await signInAt(page, user, ACCOUNT_PAGE);
    // Past the 10-minute window: deleting asks "Confirm it's you" first.
    await queryDb(
      `UPDATE "Session" SET "verifiedAt" = now() - interval '11 minutes'
       WHERE status = 'active' AND "userId" IN (SELECT "userId" FROM "EmailAddress" WHERE "emailNormalized" = $1)`,
      [user.email],
    );
    const section = page.getByRole("region", { name: "Delete account" });
    await section.getByRole("button", { name: /Delete account/ }).click();
    const confirmation = section.getByLabel(/^Type .* to confirm$/);
    await confirmation.fill("delete it");
    await section.getByRole("button", { name: "Delete my account" }).click();
    await expect(section.getByText(/Type .* to confirm\./).last()).toBeVisible();

    await confirmation.fill("DELETE");
    await section.getByRole("button", { name: "Delete my account" }).click();
    const reverify = page.getByRole("dialog", { name: /Confirm it.s you/ });
    await expect(reverify).toBeVisible();
    await reverify.getByLabel("Password", { exact: true }).fill(user.password);
    await reverify.getByRole("button", { name: "Confirm", exact: true }).click();

    await expect(page).toHaveURL(/\/sign-in(\?|$)/);
    const rows = await queryDb<{ count: string }>(`SELECT count(*) FROM "EmailAddress" WHERE "emailNormalized" = $1`, [user.email]);
    expect(Number(rows[0]!.count)).toBe(0);

    // The account is gone: signing in with it fails.
    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.submit(user.email, user.password);
    await expect(signInPage.errorMessage()).toBeVisible();
  });
});
