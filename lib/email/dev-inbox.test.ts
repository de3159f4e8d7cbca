import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { drainOutbox, enqueueEmail, prepareEmail } from "@/lib/email";
import { makeRequest, uniqueEmail } from "@/test/http";
import { GET as messagesJson } from "@/app/dev/inbox/messages.json/route";
import { devInboxEnabled } from "./dev-inbox";

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

  it("is never available in production unless DEV_INBOX=on", async () => {
    (process.env as Record<string, string>).NODE_ENV = "production";
    resetConfigCache();
    expect(devInboxEnabled()).toBe(false);
    expect((await messagesJson(makeRequest("/dev/inbox/messages.json"))).status).toBe(404);
    process.env.DEV_INBOX = "on";
    resetConfigCache();
    expect(devInboxEnabled()).toBe(true);
  });
});
