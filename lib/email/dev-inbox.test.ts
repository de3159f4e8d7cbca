import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { drainOutbox, enqueueEmail, prepareEmail } from "@/lib/email";
import { makeRequest, uniqueEmail } from "@/test/http";
import { EMAIL_HTML_CSP } from "@/lib/edge";
import { GET as messagesJson } from "@/app/dev/inbox/messages.json/route";
import { GET as versionJson } from "@/app/dev/inbox/version.json/route";
import { GET as emailHtml } from "@/app/dev/inbox/[id]/html/route";
import { devInboxEnabled } from "./dev-inbox";

/** Queues (and, with `deliver`, sends to the dev inbox) one sign-in email; returns its outbox id. */
async function queueEmail(to: string, { deliver = true } = {}): Promise<string> {
  const email = await prepareEmail(to, {
    template: "sign_in_code",
    code: "135790",
    link: "http://localhost:3000/sign-in/confirm?token=t0k",
    expiresInMinutes: 10,
  });
  const id = await db.$transaction((tx) => enqueueEmail(tx, email));
  if (deliver) await drainOutbox({ ids: [id] });
  return id;
}

const htmlOf = (id: string) => emailHtml(makeRequest(`/dev/inbox/${id}/html`), { params: Promise.resolve({ id }) });
const versionFor = async (to: string) =>
  ((await (await versionJson(makeRequest(`/dev/inbox/version.json?to=${encodeURIComponent(to)}`))).json()) as { version: string })
    .version;

function inProduction(devInbox?: "on") {
  (process.env as Record<string, string>).NODE_ENV = "production";
  if (devInbox) process.env.DEV_INBOX = devInbox;
  resetConfigCache();
}

afterEach(() => {
  (process.env as Record<string, string>).NODE_ENV = "test";
  delete process.env.DEV_INBOX;
  resetConfigCache();
});

describe("dev inbox (no SMTP_URL)", () => {
  it("marks the message sent, logs it, and lists it with its code and link", async () => {
    const to = uniqueEmail("Inbox");
    const email = await prepareEmail(to, {
      template: "password_reset",
      code: "424242",
      link: "http://localhost:3000/reset-password?token=t0k",
      expiresInMinutes: 10,
    });
    const id = await db.$transaction((tx) => enqueueEmail(tx, email));
    expect(await drainOutbox({ ids: [id] })).toMatchObject({ sent: 1 });
    expect((await db.outboxMessage.findUniqueOrThrow({ where: { id } })).status).toBe("sent");

    const response = await messagesJson(
      makeRequest(`/dev/inbox/messages.json?to=${encodeURIComponent(to.toUpperCase())}`),
    );
    const { messages } = await response.json();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      id,
      to,
      template: "password_reset",
      code: "424242",
      link: "http://localhost:3000/reset-password?token=t0k",
      status: "sent",
    });
    expect(messages[0].html).toContain("424242");
    expect(messages[0].text).toContain("424242");
  });

  it("is never available in production unless DEV_INBOX=on: page data, JSON, version and each email's HTML", async () => {
    const id = await queueEmail(uniqueEmail("Hidden"));
    inProduction();
    expect(devInboxEnabled()).toBe(false);
    expect((await messagesJson(makeRequest("/dev/inbox/messages.json"))).status).toBe(404);
    expect((await versionJson(makeRequest("/dev/inbox/version.json"))).status).toBe(404);
    const hidden = await htmlOf(id);
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain("135790");
    inProduction("on");
    expect(devInboxEnabled()).toBe(true);
    expect((await htmlOf(id)).status).toBe(200);
  });

  it("serves an email's HTML under the email CSP (inline styles, no scripts, sandboxed, framable by our pages only)", async () => {
    const id = await queueEmail(uniqueEmail("Html"));
    const response = await htmlOf(id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    const csp = response.headers.get("content-security-policy");
    expect(csp).toBe(EMAIL_HTML_CSP);
    for (const directive of ["default-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'self'", "sandbox allow-popups"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/script-src|allow-scripts|allow-same-origin|allow-top-navigation/);
    const html = await response.text();
    expect(html).toContain("135790");
    expect(html).toMatch(/style="[^"]+"/); // React Email inlines its styles: what the CSP must allow
  });

  it("answers 404 for an unknown id and for mail whose body SMTP dropped after sending", async () => {
    expect((await htmlOf("out_doesnotexist")).status).toBe(404);
    const id = await queueEmail(uniqueEmail("Smtp"), { deliver: false });
    await db.outboxMessage.update({ where: { id }, data: { status: "sent", payload: { subject: "•••••• is your code" } } });
    expect((await htmlOf(id)).status).toBe(404);
  });

  it("changes the version only when the recipient's list changes: a new email, a status change", async () => {
    const to = uniqueEmail("Version");
    const empty = await versionFor(to);
    expect(await versionFor(to)).toBe(empty);
    const id = await queueEmail(to, { deliver: false });
    const queued = await versionFor(to);
    expect(queued).not.toBe(empty);
    await queueEmail(uniqueEmail("Someone-else")); // another address's mail leaves this filter's version alone
    expect(await versionFor(to)).toBe(queued);
    await drainOutbox({ ids: [id] });
    expect(await versionFor(to)).not.toBe(queued);
  });
});
