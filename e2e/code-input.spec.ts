import { expect, test, type Locator, type Page } from "@playwright/test";
import { createUserViaApi } from "./helpers/flows";
import { latestEmail, waitForEmail } from "./helpers/inbox";
import { EmailCodePage, isCodeVerification } from "./pages/EmailCodePage";
import { HomePage } from "./pages/HomePage";
import { SignInPage } from "./pages/SignInPage";

/**
 * The one-time-code field (input-otp: six slots drawn over one real input)
 * in a real browser: what a paste puts in it, that six digits submit by
 * themselves and only once, and what a wrong code leaves for retyping.
 */

/**
 * A paste as the browser delivers one: a `paste` event carrying the text
 * (input-otp handles it). `submitToo` then submits the form as Enter or a
 * click on "Verify code" would, right after React has taken the pasted value
 * (its microtask) and before it has re-rendered the form as busy.
 */
async function paste(input: Locator, text: string, { submitToo = false } = {}): Promise<void> {
  await input.focus();
  await input.evaluate(
    async (element, [value, submit]) => {
      const clipboardData = new DataTransfer();
      clipboardData.setData("text/plain", value);
      element.dispatchEvent(new ClipboardEvent("paste", { clipboardData, bubbles: true, cancelable: true }));
      if (!submit) return;
      await Promise.resolve();
      (element as HTMLInputElement).form!.requestSubmit();
    },
    [text, submitToo] as const,
  );
}

/** Starts email-code sign-in for a new verified user; returns the code step and the emailed code. */
async function atCodeStep(page: Page, request: Parameters<typeof createUserViaApi>[0], label: string) {
  const user = await createUserViaApi(request, label);
  const before = await latestEmail(request, user.email);
  const signIn = new SignInPage(page);
  await signIn.goto();
  await signIn.requestEmailCode(user.email);
  const codeStep = new EmailCodePage(page);
  await codeStep.expectShown();
  const message = await waitForEmail(request, user.email, { after: before, template: "sign_in_code" });
  return { user, codeStep, code: message.code! };
}

test.describe("the one-time-code field", () => {
  test("the sign-in page's first load leaves out the code input and the phone field's metadata; the code step loads its own when shown", async ({
    page,
    request,
  }) => {
    // Markers of input-otp (its slot attribute) and of libphonenumber-js's metadata in the built chunks.
    const markers = { "input-otp": "data-input-otp", "phone metadata": "country_calling_codes" };
    const scripts: { url: string; body: Promise<string> }[] = [];
    page.on("response", (response) => {
      if (response.request().resourceType() === "script") scripts.push({ url: response.url(), body: response.text().catch(() => "") });
    });
    const signIn = new SignInPage(page);
    await signIn.goto();
    await page.waitForLoadState("networkidle");
    const firstLoad = await Promise.all(scripts.map(async (script) => ({ url: script.url, body: await script.body })));
    expect(firstLoad.length).toBeGreaterThan(0);
    for (const [name, marker] of Object.entries(markers)) {
      expect(firstLoad.filter((script) => script.body.includes(marker)).map((script) => script.url), `${name} in /sign-in's first load`).toEqual([]);
    }

    const { codeStep } = await atCodeStep(page, request, "lazycode");
    await expect(codeStep.codeInput).toBeFocused();
    const all = await Promise.all(scripts.map((script) => script.body));
    expect(all.some((body) => body.includes(markers["input-otp"]))).toBe(true);
  });

  test("the code step: the field has focus, its name, one-time-code autofill and a numeric keyboard; Edit goes back to the address", async ({
    page,
    request,
  }) => {
    const { user, codeStep } = await atCodeStep(page, request, "codefield");
    await expect(codeStep.codeInput).toBeFocused();
    await expect(codeStep.codeInput).toHaveAttribute("inputmode", "numeric");
    const email = user.email.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    await expect(codeStep.codeInput).toHaveAccessibleDescription(new RegExp(`sent a 6-digit code and a link to ${email}`));
    // One real input: the six slots are drawn, not separate fields.
    await expect(page.getByRole("textbox")).toHaveCount(1);

    await expect(page.getByText(user.email, { exact: true })).toBeVisible();
    await codeStep.editEmailButton.click();
    const signIn = new SignInPage(page);
    await expect(signIn.emailInput).toHaveValue(user.email);
    await expect(signIn.emailInput).toBeFocused();
  });

  test('pasting "Code: 123-456" fills the field and signs in by itself, with one request even when the form is submitted too', async ({
    page,
    request,
  }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const { user, codeStep, code } = await atCodeStep(page, request, "codepaste");
    // Hold the answer so the field can be checked before the page moves on.
    const posted: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/auth/email/verify-code", async (route) => {
      posted.push((route.request().postDataJSON() as { code: string }).code);
      await released;
      await route.continue();
    });

    await paste(codeStep.codeInput, `Code: ${code.slice(0, 3)}-${code.slice(3)}\n`, { submitToo: true });
    await expect(codeStep.codeInput).toHaveValue(code);
    await expect.poll(() => posted).toEqual([code]);
    // Later, Enter does nothing either: the form's "Verify code" button is busy (disabled).
    await expect(codeStep.verifyButton).toBeDisabled();

    const answered = page.waitForResponse(isCodeVerification);
    release();
    await answered;
    await new HomePage(page).expectSignedInAs(user.email);
    expect(posted).toEqual([code]);
    // input-otp adds a stylesheet to <head>; under the production CSP it must carry the page's nonce.
    expect(violations).toEqual([]);
  });

  test("a wrong code is cleared with its error on the field and focus kept; the right one typed with a space submits by itself", async ({
    page,
    request,
  }) => {
    const { user, codeStep, code } = await atCodeStep(page, request, "codewrong");
    const wrong = code === "000000" ? "111111" : "000000";
    await Promise.all([page.waitForResponse(isCodeVerification), page.keyboard.type(wrong)]);

    await expect(codeStep.codeInput).toHaveAttribute("aria-invalid", "true");
    await expect(codeStep.codeInput).toHaveAccessibleDescription(/incorrect.*tries left/i);
    await expect(codeStep.codeInput).toHaveValue("");
    await expect(codeStep.codeInput).toBeFocused();

    // Spaces typed between the digits are not taken.
    await page.keyboard.type(`${code.slice(0, 3)} ${code.slice(3)}`);
    await new HomePage(page).expectSignedInAs(user.email);
  });

  test("forgot password: a reset code pasted over a half-typed field replaces it and goes on to the new password by itself", async ({
    page,
    request,
  }) => {
    const user = await createUserViaApi(request, "codereset");
    const before = await latestEmail(request, user.email);
    await page.goto("/forgot-password");
    await page.getByLabel("Email address", { exact: true }).fill(user.email);
    await page.getByRole("button", { name: "Send reset code" }).click();
    const codeInput = page.getByLabel("Verification code", { exact: true });
    await expect(codeInput).toBeFocused();
    const message = await waitForEmail(request, user.email, { after: before, template: "password_reset" });
    const code = message.code!;

    await page.keyboard.type(code[0] === "9" ? "8" : "9"); // a wrong first digit, then the whole code pasted
    const [answer] = await Promise.all([
      page.waitForResponse(isCodeVerification),
      paste(codeInput, ` ${code.slice(0, 3)} ${code.slice(3)}`),
    ]);
    expect((answer.request().postDataJSON() as { code: string }).code).toBe(code);
    await expect(page.getByLabel("New password", { exact: true })).toBeVisible();
  });
});
