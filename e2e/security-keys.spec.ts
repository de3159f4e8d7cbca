import { expect, test } from "@playwright/test";
import { createUserViaApi, expectSessionCookieCleared, signIn } from "./helpers/flows";
import { addVirtualSecurityKey } from "./helpers/webauthn";
import { HomePage } from "./pages/HomePage";
import { SecondFactorPage } from "./pages/SecondFactorPage";
import { SecurityPage } from "./pages/SecurityPage";
import { SignInPage } from "./pages/SignInPage";

/**
 * Security keys as a second factor (issue 19), in real Chromium with its
 * virtual authenticator playing a USB key: added on /account/security (it
 * turns two-step verification on and shows the backup codes), then asked for
 * after the password at sign-in.
 */
test.describe("security keys as a second factor", () => {
  test("add a key on the account page, sign out, sign in with password + the key", async ({ page, request }) => {
    const user = await createUserViaApi(request, "security-key");
    await signIn(page, user);
    await addVirtualSecurityKey(page);

    const security = new SecurityPage(page);
    await security.goto();
    const section = page.getByRole("region", { name: "Security keys" });
    await expect(section.getByText("No security keys yet.")).toBeVisible();
    await section.getByRole("button", { name: "Add security key" }).click();
    await section.getByLabel("Name", { exact: true }).fill("Desk key");
    await section.getByRole("button", { name: "Continue" }).click();

    const list = section.getByRole("list", { name: "Security keys" });
    await expect(list.getByRole("listitem")).toHaveCount(1);
    await expect(list).toContainText("Desk key");
    await expect(list).toContainText("never used");
    // The first factor turned two-step verification on: backup codes, shown once.
    expect(await security.savedBackupCodes()).toHaveLength(10);
    await expect(security.twoStep.getByText("On", { exact: true })).toBeVisible();
    // A security key is not a passkey.
    await expect(page.getByRole("region", { name: "Passkeys" }).getByText("No passkeys yet.")).toBeVisible();

    await page.goto("/");
    await new HomePage(page).signOut();
    await expectSessionCookieCleared(page);

    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.submit(user.email, user.password);
    const secondFactor = new SecondFactorPage(page);
    await expect(secondFactor.heading).toBeVisible();
    // The key is this account's only factor: the step opens with it; a backup code stays an option.
    await expect(page.getByRole("button", { name: "Use a backup code instead" })).toBeVisible();
    await page.getByRole("button", { name: "Use your security key" }).click();
    await new HomePage(page).expectSignedInAs(user.email);

    await security.goto();
    await expect(list).toContainText("last used");
  });
});
