import { expect, test, type BrowserContext, type Locator, type Page, type Response } from "@playwright/test";

/**
 * A person's pause between actions: 3–5 s, so the walk runs at the pace the
 * quick start is used at (timers, token refreshes and the one-connection pool
 * all get time to interleave; the walk still lasts several token lifetimes).
 * 3–5 s rather than longer keeps `npm test` inside CI's 30 minutes (46 pauses:
 * about 3 of the walk's 5 minutes). QUICKSTART_PAUSE_MS=<ms> shortens it for local
 * iteration; CI leaves it unset.
 */
export async function pause(): Promise<void> {
  const fixed = process.env.QUICKSTART_PAUSE_MS;
  await sleep(fixed !== undefined && fixed !== "" ? Number(fixed) : 3_000 + Math.random() * 2_000);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The routes that email a code or link (each counts toward the S10 send limits).
const SEND_ROUTES = /\/api\/auth\/(sign-up|email\/send|password-reset\/send)$/;

/**
 * Clicks `send` (a button that emails a code) and waits until `sent` shows.
 * The walk mails one address four times in a few minutes (sign-up, code,
 * link, reset), more than the S4/S10 send limits allow (30 s between sends of
 * one kind, 3 per 10 min); a person told to wait ("Please wait N seconds ...",
 * "... Try again in N minutes.") waits and clicks again, and so does this (Retry-After). Each
 * wait is noted on the test and in the output.
 */
export async function sendEmailLikeAPerson(page: Page, send: Locator, sent: Locator): Promise<void> {
  const isSend = (answer: Response) => answer.request().method() === "POST" && SEND_ROUTES.test(new URL(answer.url()).pathname);
  for (;;) {
    let [response] = await Promise.all([page.waitForResponse(isSend), send.click()]);
    if (response.status() === 428) {
      // Bot protection (S10): near the send limits the server asks for a check; the form solves it
      // in the background and sends again by itself, with no click. That resend's answer counts.
      test.info().annotations.push({ type: "bot check", description: `${new URL(response.url()).pathname} asked for a check (428); the form solved it and sent again` });
      response = await page.waitForResponse(isSend);
    }
    if (response.status() !== 429) break;
    const seconds = Number(response.headers()["retry-after"] ?? 60);
    // What the form told the person ("Please wait 12 seconds ...", "Too many emails ... Try again in 8 minutes.").
    const shown = (await page.getByRole("alert").allTextContents()).map((text) => text.trim()).find(Boolean);
    const note = `${new URL(response.url()).pathname} answered 429 ("${shown}"): waited ${seconds} s`;
    test.info().annotations.push({ type: "rate limited", description: note });
    console.log(`[walk] ${note}`);
    await sleep((seconds + 1) * 1_000);
  }
  await expect(sent).toBeVisible();
}

/**
 * Records what must never happen during the walk, on every page of the
 * context: HTTP 5xx answers, console errors and uncaught page errors.
 * `take()` returns what was seen since the last call, one line per distinct
 * problem with its count (a CSP report repeats per element, nonce and hash aside).
 *
 * One 4xx is the product working as documented, not a problem: a signed-in call answered 401
 * because its 60-second token expired on the way (`withSession` in app/_components/api.ts then
 * refreshes and repeats it). `next dev` compiles a route on its first request, between the
 * middleware's check and the handler's, which on 2 busy cores can take 20 s. The browser logs that
 * 401 as a console error; it is left out only when the same call then succeeded.
 */
export function watchForProblems(context: BrowserContext): { take(): string[] } {
  let seen: { line: string; unauthorized?: string }[] = [];
  const unauthorized = new Map<string, number>(); // "METHOD url" -> 401s not yet followed by a success
  const recovered = new Set<string>(); // urls whose 401 was followed by a success of the same call
  context.on("response", (response) => {
    const key = `${response.request().method()} ${response.url()}`;
    if (response.status() >= 500) seen.push({ line: `HTTP ${response.status()} ${key}` });
    if (response.status() === 401) unauthorized.set(key, (unauthorized.get(key) ?? 0) + 1);
    else if (response.ok() && unauthorized.has(key)) {
      unauthorized.delete(key);
      recovered.add(response.url());
    }
  });
  context.on("console", (message) => {
    // The browser logs every non-2xx fetch; a 429 is the send limit sendEmailLikeAPerson waits out.
    // A 428 is bot protection asking for a check, which the form then solves and resends (S10).
    if (message.type() !== "error" || /status of 42[89]/.test(message.text())) return;
    const line = `console error on ${message.page()?.url() ?? "?"}: ${message.text()}`;
    seen.push(/status of 401/.test(message.text()) ? { line, unauthorized: message.location().url } : { line });
  });
  context.on("weberror", (error) => seen.push({ line: `page error on ${error.page()?.url() ?? "?"}: ${error.error().message}` }));
  return {
    take() {
      const counts = new Map<string, number>();
      for (const { line, unauthorized: url } of seen) {
        if (url && recovered.has(url)) continue;
        const key = line.replace(/'(sha256|nonce)-[A-Za-z0-9+/=]+'/g, "'$1-…'");
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      seen = [];
      recovered.clear();
      return [...counts].map(([line, count]) => (count > 1 ? `${line} (×${count})` : line));
    },
  };
}

export type InboxEmail = { tab: Page; id: string; code: string | null; link: string | null };

const read = new Set<string>(); // message ids already read: each step waits for its own new email

/**
 * Opens the dev inbox (/dev/inbox) in a new tab of the same browser, as the
 * README tells a new user to, and waits (refreshing like a person would) for a
 * new email to `email` whose subject matches. Returns the tab, still open.
 */
export async function openInboxFor(context: BrowserContext, email: string, subject: RegExp): Promise<InboxEmail> {
  const tab = await context.newPage();
  await tab.goto(`/dev/inbox?to=${encodeURIComponent(email)}`);
  await expect(tab.getByRole("heading", { name: "Dev inbox" })).toBeVisible();
  let found: InboxEmail | undefined;
  await expect
    .poll(
      async () => {
        const newest = tab
          .locator("li[data-message-id]")
          .filter({ has: tab.getByRole("heading", { name: subject }) })
          .first();
        const id = (await newest.count()) ? await newest.getAttribute("data-message-id") : null;
        if (id && !read.has(id)) {
          const code = newest.getByTestId("inbox-code");
          const link = newest.getByTestId("inbox-link");
          found = {
            tab,
            id,
            code: (await code.count()) ? (await code.textContent())?.trim() ?? null : null,
            link: (await link.count()) ? await link.getAttribute("href") : null,
          };
          return "arrived";
        }
        await tab.reload();
        return "waiting";
      },
      { message: `a new email to ${email} matching ${subject}`, timeout: 90_000, intervals: [2_000] },
    )
    .toBe("arrived");
  read.add(found!.id);
  return found!;
}
