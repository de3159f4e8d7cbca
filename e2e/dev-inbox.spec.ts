import { expect, test, type Page } from "@playwright/test";
import { postAsPage } from "./helpers/api";
import { solvedBotCheck } from "./helpers/bot-check";
import { waitForEmail } from "./helpers/inbox";
import { STRONG_PASSWORD, uniqueEmail } from "./helpers/users";

/**
 * The dev inbox in the production build (DEV_INBOX=on): mail shows up without
 * a reload, the HTML renders in a sandboxed frame under its own CSP, the text
 * part is one click away, and the page causes no CSP violation.
 */
declare global {
  interface Window {
    __cspViolations: string[];
    __sameDocument?: boolean;
  }
}

/** As in security-headers.spec.ts: violation events in the page plus the browser's console reports (any frame). */
async function recordViolations(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|frame|display)/i.test(message.text())) console.push(message.text());
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
    });
  });
  return async () => [...(await page.evaluate(() => window.__cspViolations)), ...console];
}

/** Starts a sign-up through the API (as the sign-up page would): the portal emails a code and a link. */
async function signUpByApi(request: Parameters<typeof postAsPage>[0], email: string): Promise<void> {
  const response = await postAsPage(request, "/api/auth/sign-up", { email, password: STRONG_PASSWORD, botSolution: await solvedBotCheck(request) });
  expect(response.status(), await response.text()).toBe(200);
}

/** Marks the current document; `stillSameDocument` is false after any reload or navigation. */
async function markDocument(page: Page): Promise<() => Promise<boolean>> {
  await page.evaluate(() => (window.__sameDocument = true));
  return () => page.evaluate(() => window.__sameDocument === true);
}

test.describe("dev inbox", () => {
  test("new mail appears by itself; code and link up front, HTML in a sandboxed frame, the text part; no CSP violations", async ({
    page,
    request,
    context,
  }) => {
    const violations = await recordViolations(page);
    const email = uniqueEmail("inbox");
    const someoneElse = uniqueEmail("inbox-other");
    await page.goto(`/dev/inbox?to=${encodeURIComponent(email)}`);
    await expect(page.getByRole("heading", { name: `No mail to ${email} yet.` })).toBeVisible();
    const stillSameDocument = await markDocument(page);
    await page.getByLabel("Recipient").focus();

    // Mail to another address first: the filter must keep it out when the list refreshes.
    await signUpByApi(request, someoneElse);
    const other = await waitForEmail(request, someoneElse, { template: "sign_up_code" });
    await signUpByApi(request, email);
    const mail = await waitForEmail(request, email, { template: "sign_up_code" });

    const card = page.locator(`li[data-message-id="${mail.id}"]`);
    await expect(card.getByRole("heading", { name: mail.subject })).toBeVisible();
    expect(await stillSameDocument(), "no reload").toBe(true);
    await expect(page.getByRole("status").filter({ hasText: `New email to ${email}` }), "announced politely").toHaveCount(1);
    await expect(page.getByLabel("Recipient"), "focus stays where the user left it").toBeFocused();
    await expect(page.locator(`li[data-message-id="${other.id}"]`)).toHaveCount(0);
    await expect(page.locator("li[data-message-id]")).toHaveCount(1);

    await expect(card.getByTestId("inbox-code")).toHaveText(mail.code!);
    await expect(card.getByTestId("inbox-link")).toHaveAttribute("href", mail.link!);
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await card.getByRole("button", { name: "Copy code" }).click();
    await expect(card.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(mail.code);

    // The HTML (the newest email's body is open): its own URL, sandboxed, styled by the email's inline styles.
    const iframe = card.locator("iframe");
    await expect(iframe).toHaveAttribute("src", `/dev/inbox/${mail.id}/html`);
    await expect(iframe).toHaveAttribute("sandbox", "allow-popups allow-popups-to-escape-sandbox");
    const frame = iframe.contentFrame();
    const codeInHtml = frame.getByText(mail.code!, { exact: true });
    await expect(codeInHtml).toBeVisible();
    await expect(codeInHtml, "the email's inline style applied, not blocked by a CSP").toHaveCSS("font-size", "32px");
    // Its button opens the link in a new tab that has left the sandbox (a real origin, scripts allowed).
    const [popup] = await Promise.all([
      page.waitForEvent("popup"),
      frame.getByRole("link", { name: "Verify email address" }).click(),
    ]);
    await expect(popup).toHaveURL(mail.link!);
    expect(await popup.evaluate(() => window.origin)).toBe(new URL(mail.link!).origin);
    await popup.close();

    // The text part, one click away.
    const textButton = card.getByRole("button", { name: "Text", exact: true });
    await textButton.click();
    await expect(textButton).toHaveAttribute("aria-pressed", "true");
    await expect(card.getByRole("button", { name: "HTML", exact: true })).toHaveAttribute("aria-pressed", "false");
    await expect(iframe).toHaveCount(0);
    await expect(card.locator("pre")).toContainText(mail.code!);
    await expect(card.locator("pre")).toContainText(mail.link!);

    // The frame's document as the server sends it: middleware gives it the email CSP, framable by our pages only.
    const html = await request.get(`/dev/inbox/${mail.id}/html`);
    expect(html.status()).toBe(200);
    expect(html.headers()["content-security-policy"]).toMatch(/^default-src 'none'; style-src 'unsafe-inline';.*frame-ancestors 'self'; sandbox allow-popups/);
    expect(html.headers()["x-frame-options"]).toBe("SAMEORIGIN");

    expect(await stillSameDocument()).toBe(true);
    await page.waitForTimeout(750); // reports arrive asynchronously
    expect(await violations()).toEqual([]);
  });

  test("a refresh keeps each message's open view and the focus while new mail arrives", async ({ page, request }) => {
    const first = uniqueEmail("inbox-first");
    const second = uniqueEmail("inbox-second");
    await signUpByApi(request, first);
    const firstMail = await waitForEmail(request, first, { template: "sign_up_code" });

    await page.goto("/dev/inbox"); // unfiltered: other tests' mail may arrive too
    const stillSameDocument = await markDocument(page);
    const card = page.locator(`li[data-message-id="${firstMail.id}"]`);
    // Its body is open only if it was the newest email when the page loaded.
    const body = card.locator("details");
    if (!(await body.evaluate((details: HTMLDetailsElement) => details.open))) await body.getByText("Email body").click();
    const textButton = card.getByRole("button", { name: "Text", exact: true });
    await textButton.click();
    await expect(textButton).toBeFocused();

    await signUpByApi(request, second);
    const secondMail = await waitForEmail(request, second, { template: "sign_up_code" });
    await expect(page.locator(`li[data-message-id="${secondMail.id}"]`)).toBeVisible();
    expect(await stillSameDocument(), "no reload").toBe(true);
    await expect(textButton).toHaveAttribute("aria-pressed", "true");
    await expect(card.locator("pre")).toContainText(firstMail.code!);
    await expect(textButton).toBeFocused();
  });

  test("an empty inbox says what to do", async ({ page }) => {
    await page.goto(`/dev/inbox?to=${encodeURIComponent(uniqueEmail("nobody"))}`);
    await expect(page.getByText(/Sign up or ask for a code and it appears here within a second\./)).toBeVisible();
    await expect(page.getByRole("link", { name: "Show all mail" })).toHaveAttribute("href", "/dev/inbox");
  });
});
