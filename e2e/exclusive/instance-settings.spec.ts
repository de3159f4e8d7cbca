import { expect, test, type Page } from "@playwright/test";
import { postAsPage } from "../helpers/api";
import { solvedBotCheck } from "../helpers/bot-check";
import { createAdmin } from "../helpers/admin";
import { createUserViaApi, signIn } from "../helpers/flows";
import { waitForEmail } from "../helpers/inbox";
import { newUser } from "../helpers/users";
import { AdminPage } from "../pages/AdminPage";
import { HomePage } from "../pages/HomePage";
import { SignInPage } from "../pages/SignInPage";

/**
 * Settings that change the whole instance (S8), set by an admin in
 * /admin/settings and seen by everyone: the brand colour on the sign-in page
 * and in the next email, and multi-session with the account switcher (S2, S7).
 * The "exclusive" project runs this after every other spec, one test at a time,
 * and each test puts the setting back.
 */
test.describe.configure({ mode: "serial" });

const DEFAULT_COLOR = "#4f46e5";
const BRAND_COLOR = "#0f766e";

async function saveBrandColor(page: Page, color: string): Promise<void> {
  const branding = page.getByRole("region", { name: "Branding" });
  await branding.getByRole("textbox", { name: "Primary colour", exact: true }).fill(color);
  await branding.getByRole("button", { name: "Save branding" }).click();
  await expect(page.getByText("Branding saved").first()).toBeVisible();
}

async function setMultiSession(page: Page, on: boolean): Promise<void> {
  const sessions = page.getByRole("region", { name: "Sessions" });
  const toggle = sessions.getByRole("switch", { name: "Multiple accounts per browser" });
  if ((await toggle.getAttribute("aria-checked")) === String(on)) return;
  await toggle.click();
  await sessions.getByRole("button", { name: "Save sessions" }).click();
  await expect(sessions.getByText("No unsaved changes.")).toBeVisible();
}

test("an admin's brand colour shows on the sign-in page and in the next email", async ({ page, browser, request }) => {
  const admin = await createAdmin(request, "brand-admin");
  await signIn(page, admin);
  await page.goto("/admin");
  await new AdminPage(page).open("Settings");
  await saveBrandColor(page, BRAND_COLOR);

  try {
    // A visitor in another browser: the sign-in page's primary colour, within the settings cache's few seconds.
    const visitor = await browser.newContext();
    const visitorPage = await visitor.newPage();
    await expect
      .poll(
        async () => {
          await visitorPage.goto("/sign-in");
          return visitorPage.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--brand-primary").trim().toLowerCase());
        },
        { timeout: 15_000 },
      )
      .toBe(BRAND_COLOR);
    await expect(visitorPage.getByRole("button", { name: "Sign in", exact: true })).toHaveCSS("background-color", "rgb(15, 118, 110)");
    await visitor.close();

    // The next email: a sign-up code, its button in the brand colour.
    const stranger = newUser("brand-mail");
    expect((await postAsPage(request, "/api/auth/sign-up", { email: stranger.email, password: stranger.password, botSolution: await solvedBotCheck(request) })).status()).toBe(200);
    const message = await waitForEmail(request, stranger.email, { template: "sign_up_code" });
    const html = await (await request.get(`/dev/inbox/${message.id}/html`)).text();
    expect(html.toLowerCase()).toContain(BRAND_COLOR);
  } finally {
    await saveBrandColor(page, DEFAULT_COLOR);
  }
});

test("with multi-session on, a second account is added and the UserButton switches between them", async ({ page, browser, request }) => {
  const admin = await createAdmin(request, "multi-admin");
  await signIn(page, admin);
  await page.goto("/admin/settings");
  await setMultiSession(page, true);

  try {
    const first = await createUserViaApi(request, "first-account");
    const second = await createUserViaApi(request, "second-account");
    const context = await browser.newContext();
    const tab = await context.newPage();
    const home = new HomePage(tab);
    // Within the settings cache's few seconds (each server process, each of its bundles), the
    // sign-in page lets a signed-in visitor add an account instead of sending them home.
    await signIn(tab, first);
    await expect
      .poll(
        async () => {
          await tab.goto("/sign-in?redirect_url=%2F");
          return tab.getByRole("heading", { level: 1 }).textContent();
        },
        { timeout: 15_000 },
      )
      .toBe("Add an account");
    await tab.goto("/");
    await home.openUserMenu();
    await tab.getByRole("menuitem", { name: "Add account" }).click();
    await tab.waitForURL((url) => url.pathname === "/sign-in");
    await new SignInPage(tab).signIn(second.email, second.password);
    await home.expectSignedInAs(second.email);

    // Both accounts are on this browser: switch back with one click, then again.
    await home.openUserMenu();
    await tab.getByRole("menuitem", { name: `Switch to ${first.email}` }).click();
    await expect(tab.locator("body")).toContainText(`Signed in as ${first.email}`);
    await home.openUserMenu();
    await tab.getByRole("menuitem", { name: `Switch to ${second.email}` }).click();
    await expect(tab.locator("body")).toContainText(`Signed in as ${second.email}`);

    // "Sign out of all accounts" ends both.
    await home.openUserMenu();
    await tab.getByRole("menuitem", { name: "Sign out of all accounts" }).click();
    await tab.waitForURL((url) => url.pathname.startsWith("/sign-in"));
    await tab.goto("/account");
    await expect(tab).toHaveURL(/\/sign-in/);
    await context.close();
  } finally {
    await page.goto("/admin/settings");
    await setMultiSession(page, false);
  }
});
