import { expect, test, type Page } from "@playwright/test";
import { createAdmin } from "../helpers/admin";
import { expectSessionCookieCleared, signIn } from "../helpers/flows";
import { waitForEmail } from "../helpers/inbox";
import { newUser } from "../helpers/users";
import { addVirtualAuthenticator } from "../helpers/webauthn";
import { AdminPage } from "../pages/AdminPage";
import { EmailCodePage } from "../pages/EmailCodePage";
import { HomePage } from "../pages/HomePage";
import { SignInPage } from "../pages/SignInPage";
import { SignUpPage } from "../pages/SignUpPage";

/**
 * Sign-up with a passkey instead of a password (S13), an instance setting an
 * admin turns on in /admin/settings: the "exclusive" project runs this after
 * every other spec, one test at a time, and the test turns it off again.
 */
test.describe.configure({ mode: "serial" });

async function savePasskeySignUp(page: Page, on: boolean): Promise<void> {
  const section = page.getByRole("region", { name: "Passkeys" });
  const toggle = section.getByRole("switch", { name: "Sign up with a passkey" });
  if ((await toggle.getAttribute("aria-checked")) === String(on)) return;
  await toggle.click();
  await section.getByRole("button", { name: "Save passkeys" }).click();
  await expect(section.getByText("No unsaved changes.")).toBeVisible();
}

test("an admin turns on passkey sign-up; a new user signs up with a passkey alone and signs in with it", async ({ page, browser, request }) => {
  const admin = await createAdmin(request, "passkey-sign-up-admin");
  await signIn(page, admin);
  await page.goto("/admin");
  await new AdminPage(page).open("Settings");
  const section = page.getByRole("region", { name: "Passkeys" });

  // The relying party id: the server's validation shows on the field, and nothing is saved.
  const rpId = section.getByRole("textbox", { name: "Relying party id" });
  await expect(rpId).toHaveAccessibleDescription(/a parent domain of this site’s host, e\.g\. example\.com for auth\.example\.com; blank = this host/i);
  await rpId.fill("https://example.com/");
  await section.getByRole("button", { name: "Save passkeys" }).click();
  await expect(rpId).toHaveAttribute("aria-invalid", "true");
  await expect(section.getByText("Enter a domain name such as example.com.")).toBeVisible();
  await rpId.fill("");
  await expect(section.getByText("No unsaved changes.")).toBeVisible();

  await savePasskeySignUp(page, true);
  try {
    const visitor = await browser.newContext();
    const tab = await visitor.newPage();
    await addVirtualAuthenticator(tab);
    const signUp = new SignUpPage(tab);
    const usePasskey = tab.getByRole("button", { name: "Use a passkey instead of a password" });
    // Within the settings cache's few seconds, the sign-up form offers it.
    await expect
      .poll(
        async () => {
          await signUp.goto();
          // It shows once the page knows this browser supports WebAuthn.
          return usePasskey.waitFor({ timeout: 3_000 }).then(
            () => true,
            () => false,
          );
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await usePasskey.click();
    await expect(signUp.passwordInput).toHaveCount(0);

    const user = newUser("passkey-only");
    await signUp.emailInput.fill(user.email);
    await signUp.submitButton.click();
    // The email first (S4), then the passkey; the account exists only after both.
    const codeStep = new EmailCodePage(tab);
    await codeStep.expectShown();
    const message = await waitForEmail(tab.request, user.email, { template: "sign_up_code" });
    await codeStep.enterCode(message.code!);
    await expect(tab.getByRole("heading", { name: "Create your passkey" })).toBeVisible();
    await tab.getByRole("button", { name: "Create passkey" }).click();
    const home = new HomePage(tab);
    await home.expectSignedInAs(user.email);

    await tab.goto("/account/security");
    await expect(tab.getByRole("region", { name: "Passkeys" }).getByRole("list", { name: "Passkeys" }).getByRole("listitem")).toHaveCount(1);

    // Signed out, the passkey alone signs back in.
    await tab.goto("/");
    await home.signOut();
    await expectSessionCookieCleared(tab);
    await new SignInPage(tab).goto();
    await tab.getByRole("button", { name: "Sign in with a passkey" }).click();
    await home.expectSignedInAs(user.email);
    await visitor.close();
  } finally {
    await page.goto("/admin/settings");
    await savePasskeySignUp(page, false);
  }
});
