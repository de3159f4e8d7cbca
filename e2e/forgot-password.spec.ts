import { expect, test } from "@playwright/test";
import { createUserViaApi } from "./helpers/flows";
import { latestEmail, waitForEmail } from "./helpers/inbox";
import { EmailCodePage } from "./pages/EmailCodePage";
import { HomePage } from "./pages/HomePage";
import { SignInPage } from "./pages/SignInPage";
import { postAsPage } from "./helpers/api";

const NEW_PASSWORD = "violet otters juggle quietly 77";

test.describe("forgot password (S3, S4)", () => {
  test("reset by code from the sign-in screen, then signed in; the new password works", async ({
    page,
    request,
    playwright,
  }) => {
    const user = await createUserViaApi(request, "forgot");
    const before = await latestEmail(request, user.email);
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.forgotPasswordLink.click();
    await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();

    await page.getByLabel("Email address", { exact: true }).fill(user.email);
    await page.getByRole("button", { name: "Send reset code" }).click();
    const message = await waitForEmail(request, user.email, { after: before, template: "password_reset" });

    // Six digits submit by themselves.
    await new EmailCodePage(page).enterCode(message.code!);
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await expect(page.getByLabel("Sign out of all other devices")).toBeChecked();
    await page.getByRole("button", { name: "Reset password" }).click();
    await new HomePage(page).expectSignedInAs(user.email);

    const api = await playwright.request.newContext({ baseURL: new URL(page.url()).origin });
    try {
      expect(
        (await postAsPage(api, "/api/auth/sign-in", { email: user.email, password: user.password })).status(),
      ).toBe(401);
      expect(
        (await postAsPage(api, "/api/auth/sign-in", { email: user.email, password: NEW_PASSWORD })).status(),
      ).toBe(200);
    } finally {
      await api.dispose();
    }
  });

  test("reset by the emailed link", async ({ page, request }) => {
    const user = await createUserViaApi(request, "resetlink");
    const before = await latestEmail(request, user.email);
    const sent = await postAsPage(request, "/api/auth/password-reset/send", { email: user.email });
    expect(sent.status()).toBe(200);
    const message = await waitForEmail(request, user.email, { after: before, template: "password_reset" });
    await page.goto(message.link!);
    await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Reset password" }).click();
    await new HomePage(page).expectSignedInAs(user.email);
  });
});
