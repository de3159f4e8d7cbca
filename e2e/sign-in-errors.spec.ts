import { expect, test } from "@playwright/test";
import { signUpNewUser } from "./helpers/flows";
import { uniqueEmail } from "./helpers/users";
import { SignInPage } from "./pages/SignInPage";

test.describe("sign-in errors", () => {
  test("a wrong password and an unknown email get the same generic error", async ({ browser, page }) => {
    // Register the account in a separate browser so this one starts signed out.
    const setupContext = await browser.newContext();
    const user = await signUpNewUser(await setupContext.newPage(), "wrongpw").finally(() => setupContext.close());

    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.submit(user.email, "not the right password 1234");
    const wrongPassword = signInPage.errorMessage();
    await expect(wrongPassword).toBeVisible();
    const wrongPasswordText = (await wrongPassword.innerText()).trim();
    await expect(page).toHaveURL(/\/sign-in(\?|$)/);

    await signInPage.goto();
    await signInPage.submit(uniqueEmail("nobody"), "not the right password 1234");
    const unknownEmail = signInPage.errorMessage();
    await expect(unknownEmail).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in(\?|$)/);
    expect((await unknownEmail.innerText()).trim(), "no account enumeration").toBe(wrongPasswordText);
  });
});
