import { expect, test, type Page } from "@playwright/test";
import { createUserViaApi, expectSessionCookieCleared, signIn } from "./helpers/flows";
import { addVirtualAuthenticator } from "./helpers/webauthn";
import { HomePage } from "./pages/HomePage";
import { SignInPage } from "./pages/SignInPage";

/** Signs in by password, adds a passkey on the account page, signs out. */
async function userWithPasskeySignedOut(page: Page, request: Parameters<typeof createUserViaApi>[0], label: string) {
  const user = await createUserViaApi(request, label);
  await signIn(page, user);
  await addVirtualAuthenticator(page);
  await page.goto("/account/security");
  const section = page.getByRole("region", { name: "Passkeys" });
  await section.getByRole("button", { name: "Add a passkey" }).click();
  await expect(section.getByRole("list", { name: "Passkeys" }).getByRole("listitem")).toHaveCount(1);
  await page.goto("/");
  await new HomePage(page).signOut();
  await expectSessionCookieCleared(page);
  return user;
}

test.describe("passkeys (S7)", () => {
  test("add a passkey on the account page, sign in with it, remove it", async ({ page, request }) => {
    const user = await createUserViaApi(request, "passkey");
    await signIn(page, user);
    await addVirtualAuthenticator(page);

    await page.goto("/account/security");
    const section = page.getByRole("region", { name: "Passkeys" });
    await expect(section.getByText("No passkeys yet.")).toBeVisible();
    await section.getByRole("button", { name: "Add a passkey" }).click();
    const list = section.getByRole("list", { name: "Passkeys" });
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await expect(list).toContainText("never used");

    await page.goto("/");
    await new HomePage(page).signOut();
    await expectSessionCookieCleared(page);

    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await new HomePage(page).expectSignedInAs(user.email);

    await page.goto("/account/security");
    await expect(list).toContainText("last used");
    await list.getByRole("button", { name: "Remove" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
    await expect(section.getByText("No passkeys yet.")).toBeVisible();
  });

  test("the email field offers the passkey in its autofill (conditional mediation)", async ({ page, request }) => {
    const user = await userWithPasskeySignedOut(page, request, "passkey-autofill");
    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await expect(signInPage.emailInput).toHaveAttribute("autocomplete", "username webauthn");
    // The first click in the field starts the conditional request; the virtual authenticator answers it.
    await signInPage.emailInput.click();
    await new HomePage(page).expectSignedInAs(user.email);
  });

  test("after a password sign-in, a passkey is offered once on this device; “Add passkey” adds it", async ({ page, request }) => {
    const user = await createUserViaApi(request, "passkey-offer");
    // This device can hold a passkey (without one, Chromium here has no platform authenticator and nothing is offered).
    await addVirtualAuthenticator(page);
    const signInPage = new SignInPage(page);
    await signInPage.goto("/account/security");
    await signInPage.submit(user.email, user.password);
    await expect(page.getByRole("heading", { name: "Sign in faster next time with a passkey" })).toBeVisible();
    await page.getByRole("button", { name: "Add passkey", exact: true }).click();
    // On to where the sign-in was going, with the passkey added.
    await page.waitForURL((url) => url.pathname === "/account/security");
    const list = page.getByRole("region", { name: "Passkeys" }).getByRole("list", { name: "Passkeys" });
    await expect(list.getByRole("listitem")).toHaveCount(1);

    // Never offered again on this device: the next password sign-in goes straight through.
    await page.goto("/");
    await new HomePage(page).signOut();
    await expectSessionCookieCleared(page);
    await signIn(page, user);
    // And the passkey it added signs in.
    await new HomePage(page).signOut();
    await expectSessionCookieCleared(page);
    await signInPage.goto();
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await new HomePage(page).expectSignedInAs(user.email);
  });

  test("“Not now” continues, and the next password sign-in on this device offers nothing", async ({ page, request }) => {
    const user = await createUserViaApi(request, "passkey-not-now");
    await addVirtualAuthenticator(page);
    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.submit(user.email, user.password);
    await expect(page.getByRole("heading", { name: "Sign in faster next time with a passkey" })).toBeVisible();
    await page.getByRole("button", { name: "Not now", exact: true }).click();
    await new HomePage(page).expectSignedInAs(user.email);

    await new HomePage(page).signOut();
    await expectSessionCookieCleared(page);
    // `signIn` waits for the page to leave /sign-in: an offer there would stop it.
    await signIn(page, user);
    await page.goto("/account/security");
    await expect(page.getByRole("region", { name: "Passkeys" }).getByText("No passkeys yet.")).toBeVisible();
  });
});
