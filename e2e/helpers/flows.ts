import { expect, type Page } from "@playwright/test";
import { HomePage } from "../pages/HomePage";
import { SignInPage } from "../pages/SignInPage";
import { SignUpPage } from "../pages/SignUpPage";
import { getCookie, SESSION_COOKIE } from "./cookies";
import { newUser, type TestUser } from "./users";

/** Signs a brand-new user up through the UI and checks the home page greets them. */
export async function signUpNewUser(page: Page, label?: string): Promise<TestUser> {
  const user = newUser(label);
  const signUp = new SignUpPage(page);
  await signUp.goto();
  await signUp.signUp(user.email, user.password);
  await new HomePage(page).expectSignedInAs(user.email);
  return user;
}

/** Signs an existing user in through the UI and checks the landing page. */
export async function signIn(page: Page, user: TestUser): Promise<void> {
  const signInPage = new SignInPage(page);
  await signInPage.goto();
  await signInPage.signIn(user.email, user.password);
  await new HomePage(page).expectSignedInAs(user.email);
}

/** Waits until the browser no longer holds a session token (after a sign-out). */
export async function expectSessionCookieCleared(page: Page): Promise<void> {
  await expect.poll(async () => (await getCookie(page.context(), SESSION_COOKIE))?.value ?? null).toBeNull();
}
