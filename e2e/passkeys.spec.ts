import { expect, test, type Page } from "@playwright/test";
import { createUserViaApi, expectSessionCookieCleared, signIn } from "./helpers/flows";
import { HomePage } from "./pages/HomePage";
import { SignInPage } from "./pages/SignInPage";

/** Chromium's virtual authenticator (DevTools protocol): a platform passkey with user verification. */
async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
}

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
});
