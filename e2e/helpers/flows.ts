import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { postAsPage } from "./api";
import { solvedBotCheck } from "./bot-check";
import { HomePage } from "../pages/HomePage";
import { SignInPage } from "../pages/SignInPage";
import { SignUpPage } from "../pages/SignUpPage";
import { getCookie, SESSION_COOKIE } from "./cookies";
import { waitForEmail } from "./inbox";
import { newUser, type TestUser } from "./users";

/**
 * Creates a verified user through the API (sign-up, then the emailed code from
 * the dev inbox), for tests about what comes after sign-up. Uses its own
 * cookie jar (`request`), so the browser under test stays signed out.
 */
export async function createUserViaApi(request: APIRequestContext, label?: string, user: TestUser = newUser(label)): Promise<TestUser> {
  const signUp = await postAsPage(request, "/api/auth/sign-up", {
    email: user.email,
    password: user.password,
    // Sign-ups carry a solved bot check (S10), as the sign-up page's would.
    botSolution: await solvedBotCheck(request),
  });
  expect(signUp.status(), await signUp.text()).toBe(200);
  const { attemptId } = (await signUp.json()) as { attemptId: string };
  const message = await waitForEmail(request, user.email, { template: "sign_up_code" });
  const verified = await postAsPage(request, "/api/auth/email/verify-code", { attemptId, code: message.code });
  expect(verified.status(), await verified.text()).toBe(200);
  return user;
}

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
