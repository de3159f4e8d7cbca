import { expect, test, type Page } from "@playwright/test";
import { createAdmin } from "../helpers/admin";
import { createUserViaApi, signIn } from "../helpers/flows";
import { HomePage } from "../pages/HomePage";
import { SignInPage } from "../pages/SignInPage";

/**
 * A challenged sign-in (S10): an admin makes every sign-in meet the check
 * (normally only risk does), and a person signing in sees the form carry on
 * by itself once their browser solved it. Instance-wide, so it runs in the
 * "exclusive" project and puts the setting back.
 */
test.describe.configure({ mode: "serial" });

async function setSignInCheck(page: Page, label: "Always" | "When risk signals say so"): Promise<void> {
  await page.goto("/admin/settings");
  const section = page.getByRole("region", { name: "Bot protection" });
  await section.getByLabel("Check sign-ins and code emails").selectOption({ label });
  await section.getByRole("button", { name: "Save bot protection" }).click();
  await expect(section.getByText("No unsaved changes.")).toBeVisible();
}

test("when sign-in is challenged, the widget solves and the sign-in continues", async ({ page, browser, request }) => {
  const admin = await createAdmin(request, "bot-admin");
  const user = await createUserViaApi(request, "challenged");
  await signIn(page, admin);
  await setSignInCheck(page, "Always");
  try {
    const visitor = await browser.newContext();
    const visitorPage = await visitor.newPage();
    const statuses: number[] = [];
    visitorPage.on("response", (response) => {
      if (response.request().method() === "POST" && new URL(response.url()).pathname === "/api/auth/sign-in") statuses.push(response.status());
    });
    // The settings cache holds for a few seconds: retry the visit until the new setting shows.
    await expect
      .poll(
        async () => {
          await visitorPage.context().clearCookies();
          statuses.length = 0;
          const signInPage = new SignInPage(visitorPage);
          await signInPage.goto();
          await signInPage.submit(user.email, user.password);
          await new HomePage(visitorPage).expectSignedInAs(user.email);
          return statuses.join(",");
        },
        { timeout: 60_000, intervals: [1_000] },
      )
      // Asked for a check, solved it in the background, sent again: signed in, no puzzle shown.
      .toBe("428,200");
    await visitor.close();
  } finally {
    await setSignInCheck(page, "When risk signals say so");
  }
});
