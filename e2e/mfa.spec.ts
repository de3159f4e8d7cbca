import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { queryDb } from "./helpers/db";
import { createUserViaApi, signIn } from "./helpers/flows";
import { waitForEmail, latestEmail } from "./helpers/inbox";
import { Authenticator, enableTotpViaApi } from "./helpers/totp";
import { EmailCodePage } from "./pages/EmailCodePage";
import { HomePage } from "./pages/HomePage";
import { SecondFactorPage } from "./pages/SecondFactorPage";
import { SecurityPage } from "./pages/SecurityPage";
import { SignInPage } from "./pages/SignInPage";

/**
 * Two-step verification end to end (S6, issue 10): enrolment on
 * /account/security, sign-in with an authenticator code and with a backup
 * code, the step-up prompt before a password change, the second factor after
 * a magic link, and no CSP violation or axe (WCAG 2.1 AA) finding on the way.
 */

declare global {
  interface Window {
    __cspViolations: string[];
  }
}

/** As in security-headers.spec.ts: the page's violation events plus the console's reports. */
async function recordCspViolations(page: Page): Promise<() => Promise<string[]>> {
  const reported: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(message.text())) reported.push(message.text());
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
    });
  });
  return async () => [...(await page.evaluate(() => window.__cspViolations)), ...reported];
}

async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
  expect(summary, `axe on ${what}`).toEqual([]);
}

/** Every session of the user was verified 11 minutes ago: past the 10-minute step-up window. */
async function ageVerification(email: string): Promise<void> {
  await queryDb(
    `UPDATE "Session" SET "verifiedAt" = now() - interval '11 minutes'
     WHERE status = 'active' AND "userId" IN (SELECT "userId" FROM "EmailAddress" WHERE "emailNormalized" = $1)`,
    [email],
  );
}

const NEW_PASSWORD = "a brand new passphrase for 2fa 77";

test.describe("two-step verification (S6)", () => {
  test("enrol an authenticator app, sign in with it and with a backup code, confirm it's you before a password change", async ({
    page,
    request,
  }) => {
    test.setTimeout(180_000); // codes for later time steps may wait for the clock (at most 30 s each)
    const cspViolations = await recordCspViolations(page);
    const user = await createUserViaApi(request, "mfa");
    const home = new HomePage(page);
    const security = new SecurityPage(page);
    const signInPage = new SignInPage(page);
    const secondFactor = new SecondFactorPage(page);

    await signIn(page, user);
    await home.openUserMenu();
    await page.getByRole("menuitem", { name: "Manage account" }).click();
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Security" }).click();
    await expect(security.heading).toBeVisible();
    await expect(security.twoStep.getByText("Off", { exact: true })).toBeVisible();
    await expectNoAxeViolations(page, "/account/security");

    // Enrol: the key as the page shows it goes into "the app" (otplib here).
    const app = new Authenticator(await security.startAuthenticatorSetup());
    expect(app.secret).toMatch(/^[A-Z2-7]{16,}$/);
    await expectNoAxeViolations(page, "/account/security, authenticator setup");
    await security.confirmAuthenticator(await app.nextCode());
    await expect(page.getByText("Authenticator app added")).toBeVisible(); // toast
    const backupCodes = await security.savedBackupCodes();
    expect(backupCodes).toHaveLength(10);
    for (const code of backupCodes) expect(code).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    await expect(security.twoStep).toContainText("10 of 10 left");
    await home.signOut();

    // Password, then the authenticator code (the default method).
    await signInPage.goto();
    await signInPage.submit(user.email, user.password);
    await secondFactor.expectShown();
    await expect(secondFactor.useBackupCodeButton).toBeVisible();
    // This account has no phone: no "Text me a code".
    await expect(page.getByRole("button", { name: "Text me a code" })).toHaveCount(0);
    await expectNoAxeViolations(page, "the second-factor step");
    await secondFactor.enterCode(await app.nextCode());
    await home.expectSignedInAs(user.email);
    await home.signOut();

    // Password, then a backup code (pasted as people do: upper case, spaces).
    await signInPage.goto();
    await signInPage.submit(user.email, user.password);
    await secondFactor.expectShown();
    await secondFactor.enterBackupCode(` ${backupCodes[0]!.toUpperCase()} `);
    await home.expectSignedInAs(user.email);

    // Step-up: the last verification is 11 minutes old, so the password change asks first, then finishes.
    await security.goto();
    await expect(security.twoStep).toContainText("9 of 10 left");
    await ageVerification(user.email);
    await security.submitNewPassword(NEW_PASSWORD);
    await expect(security.reverifyDialog).toBeVisible();
    const reverifyPassword = security.reverifyDialog.getByLabel("Password", { exact: true });
    await expect(reverifyPassword).toBeFocused();
    await expectNoAxeViolations(page, "the confirm-it's-you dialog");
    await reverifyPassword.fill(user.password);
    await security.reverifyDialog.getByRole("button", { name: "Confirm", exact: true }).click();
    await expect(security.reverifyDialog).toBeHidden();
    await expect(page.getByText("Password changed")).toBeVisible(); // the action the user started, finished
    await home.signOut();

    // The new password works (and still asks for the second step); a used backup code does not work again.
    await signInPage.goto();
    await signInPage.submit(user.email, NEW_PASSWORD);
    await secondFactor.expectShown();
    await secondFactor.enterBackupCode(backupCodes[0]!);
    await expect(page.getByText(/incorrect/i).first()).toBeVisible();
    await expect(secondFactor.backupCodeInput).toBeFocused();
    await secondFactor.backupCodeInput.fill(backupCodes[1]!);
    await secondFactor.verifyButton.click();
    await home.expectSignedInAs(user.email);

    expect(await cspViolations()).toEqual([]);
  });

  test("a magic link of an account with two-step verification asks for the second factor; so does the waiting tab", async ({
    page,
    context,
    request,
  }) => {
    test.setTimeout(180_000);
    const user = await createUserViaApi(request, "mfalink");
    const { app } = await enableTotpViaApi(request);
    const before = await latestEmail(request, user.email);

    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.requestEmailCode(user.email);
    await new EmailCodePage(page).expectShown();
    const message = await waitForEmail(request, user.email, { after: before, template: "sign_in_code" });

    const linkTab = await context.newPage();
    await linkTab.goto(message.link!);
    await linkTab.getByRole("button", { name: "Confirm and sign in" }).click();
    const secondFactor = new SecondFactorPage(linkTab);
    await secondFactor.expectShown();
    // The tab that asked for the email learns it on its status poll and asks for the second factor too.
    await expect(new SecondFactorPage(page).heading).toBeVisible();

    await secondFactor.enterCode(await app.nextCode());
    await new HomePage(linkTab).expectSignedInAs(user.email);
  });

  test("the emailed code of an account with two-step verification leads to the second factor", async ({ page, request }) => {
    test.setTimeout(180_000);
    const user = await createUserViaApi(request, "mfacode");
    const { backupCodes } = await enableTotpViaApi(request);
    const before = await latestEmail(request, user.email);

    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.requestEmailCode(user.email);
    const codeStep = new EmailCodePage(page);
    await codeStep.expectShown();
    const message = await waitForEmail(request, user.email, { after: before, template: "sign_in_code" });
    await codeStep.enterCode(message.code!);

    const secondFactor = new SecondFactorPage(page);
    await secondFactor.expectShown();
    await secondFactor.enterBackupCode(backupCodes[0]!);
    await new HomePage(page).expectSignedInAs(user.email);
  });

  test("signed out, /account/security sends you to sign in and back", async ({ page }) => {
    await page.goto("/account/security");
    await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.get("redirect_url")?.endsWith("/account/security") === true);
  });
});
