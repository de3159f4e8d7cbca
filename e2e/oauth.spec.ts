import { expect, test, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { getCookie, SESSION_COOKIE } from "./helpers/cookies";
import { createUserViaApi, signUpNewUser } from "./helpers/flows";
import { newUser, uniqueEmail } from "./helpers/users";
import { waitForEmail } from "./helpers/inbox";
import { EmailCodePage } from "./pages/EmailCodePage";
import { HomePage } from "./pages/HomePage";
import { OidcProviderPage } from "./pages/OidcProviderPage";

/**
 * OAuth / OpenID Connect in a real browser against a real, certified OpenID
 * provider (oidc-provider on a loopback port, configured as "Test ID"; S5).
 */
const BUTTON = "Continue with Test ID";

async function continueWithProvider(page: Page, from: "/sign-in" | "/sign-up", login: string, name: string | RegExp = BUTTON) {
  await page.goto(from);
  const start = page.url();
  await page.getByRole("button", { name }).click();
  await new OidcProviderPage(page).logInIfAsked(login, start);
}

test("sign up through the provider, sign out, and sign in again with it", async ({ page }) => {
  // The provider's picture must not be hot-linked (our CSP allows our own images only): no violation anywhere.
  const cspViolations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
  });
  const email = uniqueEmail("oidc");
  await continueWithProvider(page, "/sign-up", email);
  const home = new HomePage(page);
  await home.expectSignedInAs(email);

  await home.signOut();
  // The button this browser used last says so (in its accessible name too).
  await expect(page.getByRole("button", { name: `${BUTTON} (last used)` })).toBeVisible();
  const signInPage = page.url();
  await page.getByRole("button", { name: `${BUTTON} (last used)` }).click();
  await new OidcProviderPage(page).logInIfAsked(email, signInPage);
  await home.expectSignedInAs(email);
  expect(cspViolations).toEqual([]);
});

test("links to an existing password account through a verified email", async ({ page, request }) => {
  const user = await createUserViaApi(request, "link");
  await continueWithProvider(page, "/sign-in", user.email);
  await new HomePage(page).expectSignedInAs(user.email);
  await page.goto("/account/connected-accounts");
  await expect(page.getByRole("list", { name: "Connected accounts" }).getByText("Test ID")).toBeVisible();
});

for (const claim of ["unverified", "noclaim"] as const) {
  test(`refuses to link an existing account when the provider's email is ${claim === "noclaim" ? "missing its verified claim" : "unverified"}`, async ({ page, request }) => {
    const email = uniqueEmail("victim").replace("@", `+${claim}@`);
    await createUserViaApi(request, undefined, { ...newUser(), email });
    await continueWithProvider(page, "/sign-in", email);
    await expect(page).toHaveURL(/\/sso-callback\?error=email_taken/);
    await expect(page.getByRole("heading", { name: "You already have an account" })).toBeVisible();
    expect(await getCookie(page.context(), SESSION_COOKIE)).toBeUndefined();
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations).toEqual([]);
  });
}

test("an unverified provider email is verified by code before the account exists", async ({ page }) => {
  const email = uniqueEmail("fresh").replace("@", "+unverified@");
  await continueWithProvider(page, "/sign-up", email);
  const codeStep = new EmailCodePage(page);
  await codeStep.expectShown();
  const message = await waitForEmail(page.request, email, { template: "sign_up_code" });
  await codeStep.enterCode(message.code!);
  await new HomePage(page).expectSignedInAs(email);
});

test("consent denied at the provider has its own page", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: /Continue with Test ID/ }).click();
  const provider = new OidcProviderPage(page);
  await provider.cancel();
  await expect(page.getByRole("heading", { name: "Sign-in cancelled" })).toBeVisible();
  await page.getByRole("link", { name: "Back to sign in" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("connect and disconnect the provider from the signed-in side", async ({ page }) => {
  await signUpNewUser(page, "connect");
  await page.goto("/account/connected-accounts");
  await expect(page.getByText("No accounts connected yet.")).toBeVisible();
  const accountPage = page.url();
  await page.getByRole("button", { name: "Connect Test ID" }).click();
  // A different address at the provider: connecting links to the signed-in user whatever it says.
  await new OidcProviderPage(page).logInIfAsked(uniqueEmail("elsewhere"), accountPage);
  await expect(page).toHaveURL(/\/account\/connected-accounts\?connected=test-oidc/);
  await expect(page.getByText("Test ID is now connected to your account.")).toBeVisible();
  const list = page.getByRole("list", { name: "Connected accounts" });
  await expect(list.getByText("Test ID")).toBeVisible();
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations).toEqual([]);

  await list.getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByText("Test ID disconnected")).toBeVisible();
  await expect(page.getByText("No accounts connected yet.")).toBeVisible();
});
