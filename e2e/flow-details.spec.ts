import { expect, test } from "@playwright/test";
import { createUserViaApi, signIn } from "./helpers/flows";
import { uniqueEmail } from "./helpers/users";
import { SignInPage } from "./pages/SignInPage";

/** The small things a new user notices on the auth pages (issue "The first ten minutes", item 7). */
test.describe("auth page details", () => {
  test("the first field has focus on load, and the typed address carries to 'Forgot password?'", async ({ page }) => {
    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await expect(signInPage.emailInput).toBeFocused();
    const email = uniqueEmail("forgot-carry");
    await signInPage.emailInput.fill(email);
    await signInPage.forgotPasswordLink.click();
    await expect(page).toHaveURL(/\/forgot-password/);
    await expect(page.getByLabel("Email address", { exact: true })).toHaveValue(email);
    await expect(page.getByLabel("Email address", { exact: true })).toBeFocused();

    await page.goto("/sign-up");
    await expect(page.getByLabel(/First name/)).toBeFocused();
  });

  test("a signed-in visitor to /sign-in or /sign-up goes on to redirect_url, or home", async ({ page, request }) => {
    const user = await createUserViaApi(request, "already-in");
    await signIn(page, user);
    await page.goto("/sign-in");
    await expect(page).toHaveURL((url) => url.pathname === "/");
    await page.goto(`/sign-up?redirect_url=${encodeURIComponent("/?from=sign-up")}`);
    await expect(page).toHaveURL((url) => url.pathname === "/" && url.search === "?from=sign-up");
    // An off-site redirect_url is not followed.
    await page.goto(`/sign-in?redirect_url=${encodeURIComponent("https://evil.example/")}`);
    await expect(page).toHaveURL((url) => url.pathname === "/" && url.host !== "evil.example");
  });

  test("no blank space is kept under fields that have nothing to say", async ({ page }) => {
    await page.goto("/sign-in");
    const email = page.getByLabel("Email address", { exact: true });
    const password = page.getByLabel("Password", { exact: true });
    const gap = async () => {
      const [a, b] = await Promise.all([email.boundingBox(), password.boundingBox()]);
      return b!.y - (a!.y + a!.height);
    };
    // Label of the next field plus one spacing step; an empty error line would add about 24 px more.
    expect(await gap()).toBeLessThan(48);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByText("Enter your email address.")).toBeVisible();
    expect(await gap()).toBeGreaterThan(48); // the error, when there is one, takes its own line
  });
});
