import { expect, test } from "@playwright/test";
import { CLIENT_COOKIE, decodeJwtPayload, getCookie, recordSetCookies, SESSION_COOKIE } from "./helpers/cookies";
import { BREACHED_PASSWORD, STRONG_PASSWORD, uniqueEmail } from "./helpers/users";
import { HomePage } from "./pages/HomePage";
import { SignUpPage } from "./pages/SignUpPage";

test.describe("sign up", () => {
  test("a strong password and the emailed code sign the new user in, with HttpOnly SameSite=Lax cookies", async ({ page, context }) => {
    const setCookies = recordSetCookies(context);
    const email = uniqueEmail("signup");
    const signUp = new SignUpPage(page);
    await signUp.goto();
    // signUp() passes the S4 verification step: the code comes from the dev inbox.
    await signUp.signUp(email, STRONG_PASSWORD);
    await new HomePage(page).expectSignedInAs(email);

    for (const name of [CLIENT_COOKIE, SESSION_COOKIE]) {
      const cookie = await getCookie(context, name);
      expect(cookie, `${name} cookie`).toBeDefined();
      expect(cookie!.httpOnly, `${name} HttpOnly`).toBe(true);
      expect(cookie!.sameSite, `${name} SameSite`).toBe("Lax");
      expect(cookie!.path, `${name} Path`).toBe("/");
      // Chromium reports a missing SameSite as Lax too: check what the server actually sent.
      const lines = setCookies.get(name) ?? [];
      expect(lines.length, `a Set-Cookie header for ${name}`).toBeGreaterThan(0);
      for (const line of lines.filter((value) => !/max-age=0|expires=thu, 01 jan 1970/i.test(value))) {
        expect(line, `${name} Set-Cookie`).toMatch(/;\s*httponly/i);
        expect(line, `${name} Set-Cookie`).toMatch(/;\s*samesite=lax/i);
      }
    }

    const session = await getCookie(context, SESSION_COOKIE);
    const claims = decodeJwtPayload(session!.value);
    expect(claims.sub).toMatch(/^user_/);
    expect(claims.sid).toMatch(/^sess_/);
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);
    // The token is never readable from page JavaScript.
    expect(await page.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE);
  });

  test("a breached password shows the policy error and stays on sign-up", async ({ page, context }) => {
    const signUp = new SignUpPage(page);
    await signUp.goto();
    await signUp.fill(uniqueEmail("breached"), BREACHED_PASSWORD);
    // Live feedback may already disable the button; the server re-checks either way.
    if (await signUp.submitButton.isEnabled()) await signUp.submitButton.click();

    await expect(page.getByText(/breach/i).first()).toBeVisible();
    await expect(page).toHaveURL(/\/sign-up(\?|$)/);
    await expect(signUp.heading).toBeVisible();
    expect(await getCookie(context, SESSION_COOKIE)).toBeUndefined();
  });
});
