import { expect, test } from "@playwright/test";
import { readSessionToken, waitUntilExpired } from "./helpers/cookies";
import { expectSessionCookieCleared, signIn, signUpNewUser } from "./helpers/flows";
import { HomePage } from "./pages/HomePage";
import { SignInPage } from "./pages/SignInPage";

test.describe("sign out", () => {
  test("after sign-out a protected page redirects to sign-in and back after signing in", async ({ page }) => {
    const user = await signUpNewUser(page, "signout");
    const home = new HomePage(page);
    await home.signOut();
    await expectSessionCookieCleared(page);

    await page.goto("/?tab=profile");
    const signInPage = new SignInPage(page);
    await signInPage.expectLoaded();
    const redirect = signInPage.redirectUrl();
    expect(redirect, "redirect_url on the sign-in URL").not.toBeNull();
    // Relative or absolute, it must point back at the page that was asked for.
    const target = new URL(redirect!, page.url());
    expect(target.pathname + target.search).toBe("/?tab=profile");

    await signInPage.signIn(user.email, user.password);
    await expect(page).toHaveURL((url) => url.pathname === "/" && url.searchParams.get("tab") === "profile");
    await expect(page.locator("body")).toContainText(`Signed in as ${user.email}`);
  });

  test("sign out of all devices ends the other browser's session within one token lifetime", async ({ browser, page }) => {
    const user = await signUpNewUser(page, "everywhere");

    const otherContext = await browser.newContext();
    try {
      const otherPage = await otherContext.newPage();
      await signIn(otherPage, user);
      const otherToken = await readSessionToken(otherContext);

      await new HomePage(page).signOutOfAllDevices();
      await expectSessionCookieCleared(page);

      // The other device keeps its token until it expires; after that the
      // handshake finds the session revoked and sends it to sign-in.
      await waitUntilExpired(otherToken.claims.exp);
      await otherPage.goto("/");
      await new SignInPage(otherPage).expectLoaded();
    } finally {
      await otherContext.close();
    }
  });
});
