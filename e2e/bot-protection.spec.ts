import { expect, test } from "@playwright/test";
import { postAsPage } from "./helpers/api";
import { solvedBotCheck } from "./helpers/bot-check";
import { cspViolationsOn, recordCspViolations } from "./helpers/csp";
import { STRONG_PASSWORD, uniqueEmail } from "./helpers/users";
import { EmailCodePage } from "./pages/EmailCodePage";
import { HomePage } from "./pages/HomePage";
import { SignUpPage } from "./pages/SignUpPage";
import { waitForEmail } from "./helpers/inbox";

/**
 * Bot protection on a fresh install (S10): nothing configured, no third party.
 * A person signs up without ever seeing a puzzle (the browser solved the
 * proof of work while they typed); a script that posts the form is refused.
 */
test.describe("bot protection", () => {
  test("a person signs up without noticing the check: it is solved before they press the button", async ({ page }) => {
    const console = await recordCspViolations(page);
    const email = uniqueEmail("human");
    const signUp = new SignUpPage(page);
    await signUp.goto();
    // At a person's pace: a few keystrokes a second.
    await page.getByLabel("First name").pressSequentially("Ada", { delay: 60 });
    await signUp.emailInput.pressSequentially(email, { delay: 30 });
    await signUp.passwordInput.pressSequentially(STRONG_PASSWORD, { delay: 30 });

    // The invisible widget finished while they typed.
    await expect
      .poll(() => page.evaluate(() => (document.querySelector("altcha-widget") as (Element & { getState?: () => string }) | null)?.getState?.() ?? null), {
        timeout: 20_000,
      })
      .toBe("verified");
    // Nothing to look at or click: no checkbox, no "I'm not a robot", no waiting line.
    await expect(page.getByText(/not a robot|Checking your browser/i)).toHaveCount(0);

    const [request] = await Promise.all([
      page.waitForRequest((candidate) => candidate.method() === "POST" && new URL(candidate.url()).pathname === "/api/auth/sign-up"),
      signUp.submitButton.click(),
    ]);
    expect(request.postDataJSON().botSolution, "the sign-up carried the solved check").toEqual(expect.any(String));
    expect(request.postDataJSON()).not.toHaveProperty("honeypot");

    const codeStep = new EmailCodePage(page);
    await codeStep.expectShown();
    const message = await waitForEmail(page.request, email, { template: "sign_up_code" });
    await codeStep.enterCode(message.code!);
    await new HomePage(page).expectSignedInAs(email);
    expect(await cspViolationsOn(page, console)).toEqual([]);
  });

  test("a script that posts the sign-up form is refused; a solved check works once", async ({ request }) => {
    const refused = await postAsPage(request, "/api/auth/sign-up", { email: uniqueEmail("script"), password: STRONG_PASSWORD });
    expect(refused.status()).toBe(428);
    expect((await refused.json()).errors[0].code).toBe("bot_challenge_required");

    const solution = await solvedBotCheck(request);
    expect((await postAsPage(request, "/api/auth/sign-up", { email: uniqueEmail("solved"), password: STRONG_PASSWORD, botSolution: solution })).status()).toBe(200);
    expect((await postAsPage(request, "/api/auth/sign-up", { email: uniqueEmail("again"), password: STRONG_PASSWORD, botSolution: solution })).status()).toBe(428);
  });
});
