import { expect, test, type Locator, type Page } from "@playwright/test";
import { createAdmin } from "../helpers/admin";
import { queryDb } from "../helpers/db";
import { createUserViaApi, signIn } from "../helpers/flows";
import { HomePage } from "../pages/HomePage";
import { SignInPage } from "../pages/SignInPage";

/**
 * The sign-in settings the posts describe (issue 19 item 4, S8), set by an admin in
 * /admin/settings and seen by a visitor: terms and privacy links on sign-up, the
 * provider buttons below the forms, and where sign-in and sign-out land. Instance-wide,
 * so it runs in the "exclusive" project (after every other spec) and puts the settings back.
 */
test.describe.configure({ mode: "serial" });

const PROVIDER_BUTTON = "Continue with Test ID";
const TERMS_URL = "https://example.com/terms";
const PRIVACY_URL = "/privacy";

async function top(locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  if (!box) throw new Error("element is not visible");
  return box.y;
}

async function saveSection(page: Page, region: string, button: string, fill: (section: Locator) => Promise<void>) {
  const section = page.getByRole("region", { name: region });
  await fill(section);
  await section.getByRole("button", { name: button }).click();
  await expect(section.getByText("No unsaved changes.")).toBeVisible();
}

test("terms links on sign-up, provider buttons below the forms, and the after-sign-in and after-sign-out URLs", async ({ page, browser, request }) => {
  const admin = await createAdmin(request, "sign-in-settings-admin");
  await signIn(page, admin);
  await page.goto("/admin/settings");

  try {
    await saveSection(page, "Sign-in and sign-up pages", "Save sign-in and sign-up pages", async (section) => {
      await section.getByLabel("Provider buttons").selectOption("bottom");
      await section.getByRole("textbox", { name: "Terms of service" }).fill(TERMS_URL);
      await section.getByRole("textbox", { name: "Privacy policy" }).fill(PRIVACY_URL);
    });
    // An invalid landing URL is refused with the field's own error, nothing saved.
    const redirects = page.getByRole("region", { name: "Redirects" });
    await redirects.getByRole("textbox", { name: "After sign-out" }).fill("https://evil.example/");
    await redirects.getByRole("button", { name: "Save redirects" }).click();
    await expect(redirects.getByRole("textbox", { name: "After sign-out" })).toHaveAttribute("aria-invalid", "true");
    await expect(redirects.getByText("Use a path on this site (starting with /) or a URL on an origin in ALLOWED_REDIRECT_ORIGINS.")).toBeVisible();
    await saveSection(page, "Redirects", "Save redirects", async (section) => {
      await section.getByRole("textbox", { name: "After sign-in" }).fill("/account");
      await section.getByRole("textbox", { name: "After sign-out" }).fill("/sign-up");
    });

    // A visitor in another browser, within the settings cache's few seconds.
    const visitor = await browser.newContext();
    const visitorPage = await visitor.newPage();
    const notice = visitorPage.getByText("By signing up you agree to the");
    await expect
      .poll(
        async () => {
          await visitorPage.goto("/sign-up");
          return notice.isVisible();
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await expect(notice.getByRole("link", { name: /^Terms/ })).toHaveAttribute("href", TERMS_URL);
    await expect(notice.getByRole("link", { name: /^Privacy Policy/ })).toHaveAttribute("href", PRIVACY_URL);
    const signUpProvider = visitorPage.getByRole("button", { name: PROVIDER_BUTTON });
    expect(await top(signUpProvider)).toBeGreaterThan(await top(visitorPage.getByRole("button", { name: "Create account" })));

    await visitorPage.goto("/sign-in");
    await expect(visitorPage.getByText("By signing up you agree to the")).toHaveCount(0);
    const signInProvider = visitorPage.getByRole("button", { name: PROVIDER_BUTTON });
    expect(await top(signInProvider)).toBeGreaterThan(await top(visitorPage.getByRole("button", { name: "Sign in", exact: true })));

    // Signing in with no redirect_url lands on the after-sign-in URL.
    const user = await createUserViaApi(request, "landing");
    await new SignInPage(visitorPage).signIn(user.email, user.password);
    await visitorPage.waitForURL((url) => url.pathname === "/account");
    await visitor.close();

    // Signing out lands on the after-sign-out URL.
    const home = new HomePage(page);
    await home.goto("/");
    await home.openUserMenu();
    await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/sign-up");
  } finally {
    // Back to the defaults for whatever runs next (the settings cache forgets within seconds).
    await queryDb(
      `UPDATE "InstanceSettings" SET data = data - 'socialButtonsPlacement' - 'termsUrl' - 'privacyUrl' - 'afterSignInUrl' - 'afterSignOutUrl', version = version + 1 WHERE id = 'default'`,
    );
    // The next spec starts at once: wait until the server's settings cache has let go of these
    // (the terms notice leaves /sign-up with them), or it would land on this spec's /account.
    await expect
      .poll(async () => (await (await request.get("/sign-up")).text()).includes("By signing up you agree"), { timeout: 30_000, intervals: [1_000] })
      .toBe(false);
  }
});
