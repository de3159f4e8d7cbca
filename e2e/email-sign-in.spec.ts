import { expect, test } from "@playwright/test";
import { getCookie, SESSION_COOKIE } from "./helpers/cookies";
import { createUserViaApi } from "./helpers/flows";
import { latestEmail, waitForEmail } from "./helpers/inbox";
import { EmailCodePage } from "./pages/EmailCodePage";
import { HomePage } from "./pages/HomePage";
import { SignInPage } from "./pages/SignInPage";
import { SignUpPage } from "./pages/SignUpPage";
import { newUser } from "./helpers/users";

test.describe("email code and magic-link sign-in (S4)", () => {
  test("sign in with the emailed code: sent state with a resend countdown, a wrong code, then the right one", async ({
    page,
    request,
  }) => {
    const user = await createUserViaApi(request, "emailcode");
    const before = await latestEmail(request, user.email);
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.requestEmailCode(user.email);

    const codeStep = new EmailCodePage(page);
    await codeStep.expectShown();
    await expect(codeStep.resendButton).toBeDisabled();
    await expect(codeStep.resendButton).toHaveText(/Resend code in \d+ s/);
    // The countdown is live (S4: 30 s cooldown).
    await expect
      .poll(async () => Number((await codeStep.resendButton.textContent())?.match(/\d+/)?.[0] ?? 30))
      .toBeLessThan(29);
    const message = await waitForEmail(request, user.email, { after: before, template: "sign_in_code" });
    expect(message.code).toMatch(/^\d{6}$/);

    await codeStep.enterCode(message.code === "000000" ? "111111" : "000000");
    await expect(page.getByText(/incorrect.*4 tries left/i).first()).toBeVisible();

    await codeStep.enterCode(message.code!);
    await new HomePage(page).expectSignedInAs(user.email);
  });

  test("magic link in the same browser: the confirm tab signs in and the original tab completes by itself", async ({
    page,
    context,
    request,
  }) => {
    const user = await createUserViaApi(request, "samedevice");
    const before = await latestEmail(request, user.email);
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.requestEmailCode(user.email);
    await new EmailCodePage(page).expectShown();
    const message = await waitForEmail(request, user.email, { after: before, template: "sign_in_code" });

    const linkTab = await context.newPage();
    await linkTab.goto(message.link!);
    await expect(linkTab.getByRole("heading", { name: "Confirm sign-in" })).toBeVisible();
    await linkTab.getByRole("button", { name: "Confirm and sign in" }).click();
    await new HomePage(linkTab).expectSignedInAs(user.email);

    // The original tab notices on its next status poll (every 2 s) and navigates.
    await new HomePage(page).expectSignedInAs(user.email);
  });

  test("magic link opened on another device completes nothing there; it says where the request came from", async ({
    page,
    browser,
    request,
  }) => {
    const user = await createUserViaApi(request, "otherdevice");
    const before = await latestEmail(request, user.email);
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.requestEmailCode(user.email);
    await new EmailCodePage(page).expectShown();
    const message = await waitForEmail(request, user.email, { after: before, template: "sign_in_code" });

    const phone = await browser.newContext();
    try {
      const phonePage = await phone.newPage();
      await phonePage.goto(message.link!);
      // No button to sign in here: the page names the browser that asked and offers "This wasn't me".
      await expect(phonePage.getByRole("heading", { name: "Open it where you asked for it" })).toBeVisible();
      await expect(phonePage.getByTestId("requested-device")).toContainText("Chrome");
      await expect(phonePage.getByRole("button", { name: /sign in/i })).toHaveCount(0);
      await expect(phonePage.getByRole("button", { name: "This wasn’t me" })).toBeVisible();
      expect(await getCookie(phone, SESSION_COOKIE)).toBeUndefined();
    } finally {
      await phone.close();
    }
    // The browser that asked is still waiting, and the same link completes there.
    await new EmailCodePage(page).expectShown();
    const confirmTab = await page.context().newPage();
    await confirmTab.goto(message.link!);
    await confirmTab.getByRole("button", { name: "Confirm and sign in" }).click();
    await new HomePage(page).expectSignedInAs(user.email);
  });

  test("a mail scanner's prefetch GET does not burn the link; the real click still works, once", async ({
    page,
    context,
    request,
    playwright,
  }) => {
    const user = await createUserViaApi(request, "prefetch");
    const before = await latestEmail(request, user.email);
    const signIn = new SignInPage(page);
    await signIn.goto();
    await signIn.requestEmailCode(user.email);
    await new EmailCodePage(page).expectShown();
    const message = await waitForEmail(request, user.email, { after: before, template: "sign_in_code" });

    const scanner = await playwright.request.newContext({ baseURL: new URL(message.link!).origin });
    try {
      for (let fetches = 0; fetches < 2; fetches++) {
        const prefetch = await scanner.get(message.link!);
        expect(prefetch.status()).toBe(200);
      }
    } finally {
      await scanner.dispose();
    }

    const linkTab = await context.newPage();
    await linkTab.goto(message.link!);
    await linkTab.getByRole("button", { name: "Confirm and sign in" }).click();
    await new HomePage(linkTab).expectSignedInAs(user.email);

    // Used now: opening it again says so instead of offering the button.
    const again = await context.newPage();
    await again.goto(message.link!);
    await expect(again.getByText(/already been used/i)).toBeVisible();
    await expect(again.getByRole("button", { name: "Confirm and sign in" })).toHaveCount(0);
  });

  test("sign-up finished through the magic link: the confirm tab and the waiting sign-up tab are both signed in", async ({
    page,
    context,
    request,
  }) => {
    const user = newUser("signuplink");
    const signUp = new SignUpPage(page);
    await signUp.goto();
    await signUp.submit(user.email, user.password);
    await new EmailCodePage(page).expectShown();
    const message = await waitForEmail(request, user.email, { template: "sign_up_code" });

    const linkTab = await context.newPage();
    await linkTab.goto(message.link!);
    await expect(linkTab.getByRole("heading", { name: "Confirm your email" })).toBeVisible();
    await linkTab.getByRole("button", { name: "Confirm email address" }).click();
    await new HomePage(linkTab).expectSignedInAs(user.email);
    await new HomePage(page).expectSignedInAs(user.email);
  });
});
