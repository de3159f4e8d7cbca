import { expect, test, type Page } from "@playwright/test";
import { createAdmin } from "../helpers/admin";
import { expectNoSeriousAxeViolations } from "../helpers/axe";
import { getCookie, SESSION_COOKIE } from "../helpers/cookies";
import { signIn } from "../helpers/flows";
import { uniquePhone, waitForSms } from "../helpers/sms";
import { STRONG_PASSWORD } from "../helpers/users";
import { EmailCodePage } from "../pages/EmailCodePage";

/**
 * Phone numbers as an identifier (issue 19): an admin turns them on in
 * /admin/settings; then a visitor signs up and signs in with a phone number
 * and the SMS code read from the dev SMS outbox, and resets a password by SMS.
 * Instance-wide (every sign-in page gains "Use phone"): the "exclusive"
 * project runs it after every other spec, and it turns phone numbers off again.
 */
test.describe.configure({ mode: "serial" });

let adminPage: Page;
const phone = uniquePhone();
const NEW_PASSWORD = "a brand new phone password 19";

async function setPhoneNumbers(page: Page, on: boolean): Promise<void> {
  await page.goto("/admin/settings");
  const section = page.getByRole("region", { name: "Identifiers" });
  const toggle = section.getByRole("switch", { name: "Phone number" });
  if ((await toggle.getAttribute("aria-checked")) === String(on)) return;
  await toggle.click();
  await section.getByRole("button", { name: "Save identifiers" }).click();
  await expect(section.getByText("No unsaved changes.")).toBeVisible();
}

/** The phone version of a sign-in or sign-up form, within the settings cache's few seconds. */
async function openPhoneForm(page: Page, path: "/sign-in" | "/sign-up"): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.goto(path);
        return page.getByRole("button", { name: "Use phone" }).isVisible();
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  await page.getByRole("button", { name: "Use phone" }).click();
  await expect(page.getByRole("textbox", { name: "Phone number" })).toBeFocused();
}

async function enterSmsCode(page: Page, code: string): Promise<void> {
  await expect(page.getByRole("heading", { name: "Check your phone" })).toBeVisible();
  const codeInput = page.getByLabel("Verification code", { exact: true });
  await expect(codeInput).toHaveAttribute("autocomplete", "one-time-code");
  await codeInput.fill(code);
}

async function expectSignedIn(page: Page): Promise<void> {
  // Landed on the default after-sign-in URL (exclusive specs run one at a time and put their settings back).
  await page.waitForURL((url) => url.pathname === "/");
  await expect.poll(async () => (await getCookie(page.context(), SESSION_COOKIE))?.value ?? null).not.toBeNull();
}

// Worker-scoped: the admin's own browser context (with the project's base URL), kept for afterAll.
test.beforeAll(async ({ browser }) => {
  const baseURL = process.env.E2E_BASE_URL ?? "http://localhost:3000";
  // The sign-up through the API gets a session in its own context; the admin signs in in another.
  const api = await browser.newContext({ baseURL });
  const admin = await createAdmin(api.request, "phone-admin");
  await api.close();
  adminPage = await (await browser.newContext({ baseURL })).newPage();
  await signIn(adminPage, admin);
  await setPhoneNumbers(adminPage, true);
});

test.afterAll(async () => {
  await setPhoneNumbers(adminPage, false);
  await adminPage.context().close();
});

test("signs up with a phone number and the code from the text message", async ({ page, request }) => {
  await openPhoneForm(page, "/sign-up");
  await expectNoSeriousAxeViolations(page, "the phone sign-up form");
  await page.getByLabel("First name").fill("Pat");
  // Typed with its country code: the field formats it and picks the country.
  await page.getByRole("textbox", { name: "Phone number" }).fill(phone);
  await expect(page.getByRole("combobox", { name: "Country" })).toHaveValue("GB");
  await page.getByRole("button", { name: "Text me a code" }).click();
  const sms = await waitForSms(request, phone, { template: "sign_up_code" });
  expect(sms.body).toContain(`#${sms.code}`);
  await expect(page.getByText(`+44 ${phone.slice(3, 7)} ${phone.slice(7)}`)).toBeVisible();
  await expectNoSeriousAxeViolations(page, "the SMS code step");
  await enterSmsCode(page, sms.code!);
  await expectSignedIn(page);

  // The account page lists the number as a verified, primary way in.
  await page.goto("/account");
  const number = page.getByRole("list", { name: "Phone numbers" }).getByRole("listitem");
  await expect(number).toHaveCount(1);
  await expect(number).toContainText(`+44 ${phone.slice(3, 7)} ${phone.slice(7)}`);
  await expect(number).toContainText("Verified");
  await expect(number).toContainText("Primary");
  await expectNoSeriousAxeViolations(page, "the account page's phone numbers");
});

test("signs in with the phone number and a texted code", async ({ page, request }) => {
  await openPhoneForm(page, "/sign-in");
  await expectNoSeriousAxeViolations(page, "the phone sign-in form");
  await page.getByRole("textbox", { name: "Phone number" }).fill(phone);
  const before = await waitForSms(request, phone);
  await page.getByRole("button", { name: "Text me a sign-in code" }).click();
  const sms = await waitForSms(request, phone, { template: "sign_in_code", after: before });
  await enterSmsCode(page, sms.code!);
  await expectSignedIn(page);
});

test("resets the password by SMS, then signs in with the number and the new password", async ({ page, request }) => {
  await openPhoneForm(page, "/sign-in");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await page.getByRole("textbox", { name: "Phone number" }).fill(phone);
  const before = await waitForSms(request, phone);
  await page.getByRole("button", { name: "Send reset code" }).click();
  const sms = await waitForSms(request, phone, { template: "password_reset", after: before });
  await new EmailCodePage(page).enterCode(sms.code!);
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Reset password" }).click();
  await expectSignedIn(page);

  // A fresh browser: number + password.
  await page.context().clearCookies();
  await openPhoneForm(page, "/sign-in");
  await page.getByRole("textbox", { name: "Phone number" }).fill(phone);
  await page.getByLabel("Password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectSignedIn(page);
  expect(NEW_PASSWORD).not.toBe(STRONG_PASSWORD);
});
