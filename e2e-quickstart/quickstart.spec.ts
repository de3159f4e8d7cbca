import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { newUser, type TestUser } from "../e2e/helpers/users";
import { EmailCodePage } from "../e2e/pages/EmailCodePage";
import { HomePage } from "../e2e/pages/HomePage";
import { SignInPage } from "../e2e/pages/SignInPage";
import { SignUpPage } from "../e2e/pages/SignUpPage";
import { AdminPage } from "../e2e/pages/AdminPage";
import { WebhooksPage } from "../e2e/pages/WebhooksPage";
import { startReceiver } from "../e2e/helpers/webhook-receiver";
import { Webhook } from "svix";
import { openInboxFor, pause, sendEmailLikeAPerson, watchForProblems } from "./walk";

// The README's quick start as a new user lives it: `npm run dev` with no config (embedded PGlite on
// one connection, dev inbox), ONE browser, every sign-in way in turn, at a person's pace. Each step
// is a test (serial: a failed step skips the rest); each must leave no 5xx and no console error.

const NEW_PASSWORD = "violet otters juggle quietly 77";
const SIGN_UP_CODE = /is your .+ verification code/;
const SIGN_IN_CODE = /is your .+ sign-in code/;
const RESET = /^Reset your .+ password$/;
/** scripts/e2e-quickstart.mjs starts `npm run dev` with ADMIN_EMAILS set to this address, as the README says to. */
const QUICKSTART_ADMIN_EMAIL = "quickstart-admin@example.com";

test.describe.configure({ mode: "serial" });

let context: BrowserContext;
let page: Page;
let problems: ReturnType<typeof watchForProblems>;
const user: TestUser = newUser("quickstart");

test.beforeAll(async ({ browser }) => {
  context = await browser.newContext();
  problems = watchForProblems(context);
  page = await context.newPage();
});

test.afterAll(async () => {
  await context?.close();
});

test.afterEach(() => {
  expect(problems.take(), "HTTP 5xx answers, console errors and page errors during this step").toEqual([]);
});

test.describe("quick start: a new user's whole walk in one browser", () => {
  test("sign up with email and password, the code from the dev inbox, the signed-in home page; sign out", async () => {
    await page.goto("/");
    const signIn = new SignInPage(page);
    await signIn.expectLoaded(); // a signed-out visitor is sent to sign-in
    await pause();
    await signIn.signUpLink.click();
    const signUp = new SignUpPage(page);
    await expect(signUp.heading).toBeVisible();
    await pause();
    await signUp.fill(user.email, user.password);
    await pause();
    const codeStep = new EmailCodePage(page);
    await sendEmailLikeAPerson(page, signUp.submitButton, codeStep.heading);
    await codeStep.expectShown();
    await pause();
    const mail = await openInboxFor(context, user.email, SIGN_UP_CODE);
    await pause();
    await mail.tab.close();
    await codeStep.enterCode(mail.code!);
    const home = new HomePage(page);
    await home.expectSignedInAs(user.email);
    await pause();
    await home.signOut();
  });

  test("sign in with the password; sign out", async () => {
    const signIn = new SignInPage(page);
    await signIn.expectLoaded();
    await pause();
    await signIn.signIn(user.email, user.password);
    const home = new HomePage(page);
    await home.expectSignedInAs(user.email);
    await pause();
    await home.signOut();
  });

  test("sign in with the emailed code; sign out", async () => {
    const signIn = new SignInPage(page);
    await signIn.expectLoaded();
    await pause();
    await signIn.emailInput.fill(user.email);
    const codeStep = new EmailCodePage(page);
    await sendEmailLikeAPerson(page, signIn.emailCodeButton, codeStep.heading);
    await codeStep.expectShown();
    await pause();
    const mail = await openInboxFor(context, user.email, SIGN_IN_CODE);
    await pause();
    await mail.tab.close();
    await codeStep.enterCode(mail.code!);
    const home = new HomePage(page);
    await home.expectSignedInAs(user.email);
    await pause();
    await home.signOut();
  });

  test("sign in with the magic link in the same browser: confirm in the link's tab, the first tab completes; sign out", async () => {
    const signIn = new SignInPage(page);
    await signIn.expectLoaded();
    await pause();
    await signIn.emailInput.fill(user.email);
    const codeStep = new EmailCodePage(page);
    await sendEmailLikeAPerson(page, signIn.emailCodeButton, codeStep.heading);
    await codeStep.expectShown();
    await pause();
    const mail = await openInboxFor(context, user.email, SIGN_IN_CODE);
    await pause();
    await mail.tab.locator(`li[data-message-id="${mail.id}"]`).getByTestId("inbox-link").click();
    await expect(mail.tab.getByRole("heading", { name: "Confirm sign-in" })).toBeVisible();
    await pause();
    await mail.tab.getByRole("button", { name: "Confirm and sign in" }).click();
    await new HomePage(mail.tab).expectSignedInAs(user.email);
    // The waiting tab notices on its next status poll and lands on home by itself.
    const home = new HomePage(page);
    await home.expectSignedInAs(user.email);
    await pause();
    await mail.tab.close();
    await home.signOut();
  });

  test("forgot password: the code from the dev inbox, a new password, signed in; sign out", async () => {
    const signIn = new SignInPage(page);
    await signIn.expectLoaded();
    await pause();
    await signIn.forgotPasswordLink.click();
    await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
    await pause();
    await page.getByLabel("Email address", { exact: true }).fill(user.email);
    const codeInput = page.getByLabel("Verification code", { exact: true });
    await sendEmailLikeAPerson(page, page.getByRole("button", { name: "Send reset code" }), codeInput);
    await pause();
    const mail = await openInboxFor(context, user.email, RESET);
    await pause();
    await mail.tab.close();
    await new EmailCodePage(page).enterCode(mail.code!); // six digits submit by themselves
    await expect(page.getByLabel("New password", { exact: true })).toBeVisible();
    await pause();
    await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Reset password" }).click();
    const home = new HomePage(page);
    await home.expectSignedInAs(user.email);
    await pause();
    await home.signOut();
  });

  test("sign in with the new password", async () => {
    const signIn = new SignInPage(page);
    await signIn.expectLoaded();
    await pause();
    await signIn.signIn(user.email, NEW_PASSWORD);
    await new HomePage(page).expectSignedInAs(user.email);
  });

  test("an admin (ADMIN_EMAILS) signs up, finds the first user in /admin, bans and unbans them, impersonates and stops, saves a setting", async () => {
    const home = new HomePage(page);
    await pause();
    await home.signOut();
    // A second person on the same computer: the admin named on the command line (README).
    const admin: TestUser = { email: QUICKSTART_ADMIN_EMAIL, password: user.password };
    const signIn = new SignInPage(page);
    await signIn.expectLoaded();
    await pause();
    await signIn.signUpLink.click();
    const signUp = new SignUpPage(page);
    await expect(signUp.heading).toBeVisible();
    await pause();
    await signUp.fill(admin.email, admin.password);
    await pause();
    const codeStep = new EmailCodePage(page);
    await sendEmailLikeAPerson(page, signUp.submitButton, codeStep.heading);
    const mail = await openInboxFor(context, admin.email, SIGN_UP_CODE);
    await codeStep.expectShown();
    await pause();
    await mail.tab.close();
    await codeStep.enterCode(mail.code!);
    await home.expectSignedInAs(admin.email);
    await pause();

    await home.openUserMenu();
    await page.getByRole("menuitem", { name: "Admin console" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
    await pause();
    const console_ = new AdminPage(page);
    await console_.open("Users");
    await pause();
    await console_.searchUsers(user.email.slice(0, 12));
    await pause();
    await console_.openUser(user.email);
    await pause();
    await console_.confirmAction("Ban", "Ban user");
    await expect(console_.badge("Banned")).toBeVisible();
    await pause();
    await console_.confirmAction("Unban", "Unban");
    await expect(console_.badge("Banned")).toBeHidden();
    await pause();
    await console_.confirmAction("Impersonate", "Impersonate");
    const stop = page.getByRole("button", { name: "Stop impersonating" });
    await expect(stop).toBeVisible();
    await expect(page.getByRole("region", { name: "Impersonation" })).toContainText(user.email);
    await pause();
    await stop.click();
    await expect(page.getByRole("heading", { level: 1, name: user.email })).toBeVisible();
    await pause();

    await console_.open("Settings");
    await pause();
    const sessions = page.getByRole("region", { name: "Sessions" });
    await sessions.getByRole("switch", { name: "Multiple accounts per browser" }).click();
    await sessions.getByRole("button", { name: "Save sessions" }).click();
    await expect(sessions.getByText("No unsaved changes.")).toBeVisible();
    await pause();
    await console_.open("Audit log");
    await expect(page.getByRole("table", { name: /Audit events/ }).getByText("impersonation.stopped", { exact: true }).first()).toBeVisible();
  });

  test("the admin connects a webhook receiver; a real change to a user reaches it, signed, and shows as delivered", async () => {
    // `npm run dev` is not production: a receiver on 127.0.0.1 is allowed with nothing configured (docs/webhooks.md).
    const receiver = await startReceiver();
    try {
      const console_ = new AdminPage(page);
      await console_.open("Webhooks");
      await pause();
      const webhooks = new WebhooksPage(page);
      await webhooks.addEndpoint({ url: receiver.url, description: "Quick start receiver" });
      await pause();
      const secret = await webhooks.revealSecret();
      await pause();
      // A real change, through the one domain function behind it, on the embedded database's one connection.
      await console_.open("Users");
      await console_.searchUsers(user.email.slice(0, 12));
      await console_.openUser(user.email);
      await pause();
      await console_.confirmAction("Ban", "Ban user");
      await expect(console_.badge("Banned")).toBeVisible();
      await pause();
      await console_.confirmAction("Unban", "Unban");
      await expect(console_.badge("Banned")).toBeHidden();
      const userUpdated = () => receiver.received.filter((delivery) => JSON.parse(delivery.body).type === "user.updated");
      // Delivered within seconds; the minute covers next dev compiling the delivery path on a busy machine.
      await expect.poll(() => userUpdated().length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
      const [first] = userUpdated();
      new Webhook(secret).verify(first!.body, first!.headers as Record<string, string>);
      expect(JSON.parse(first!.body).data.email_addresses[0].email_address).toBe(user.email);
      await pause();
      await console_.open("Webhooks");
      const listed = page.getByRole("row").filter({ has: page.getByRole("link", { name: receiver.url }) });
      await expect(listed).toContainText("Active");
      await expect(listed).toContainText("Delivered");
    } finally {
      await receiver.close();
    }
  });
});
