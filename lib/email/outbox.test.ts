import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import {
  drainOutbox,
  enqueueEmail,
  MAX_SEND_ATTEMPTS,
  prepareEmail,
  RETRY_DELAYS_MS,
  SEND_LEASE_MS,
  smtpTransport,
} from "@/lib/email";
import { enqueueSms, prepareSms } from "@/lib/sms";
import { recordingSmsTransport } from "@/lib/sms/testing";
import { uniqueEmail } from "@/test/http";
import { extractCodeAndLink, startTestSmtpServer, type TestSmtpServer } from "./testing";
import type { MailTransport, OutgoingEmail } from "./transport";

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  process.env.SMTP_URL = smtp.url;
  process.env.MAIL_FROM = "Portal Tests <no-reply@portal.test>";
  process.env.OUTBOX_LOOP = "off";
  resetConfigCache();
});

afterAll(async () => {
  await smtp.stop();
  delete process.env.SMTP_URL;
  resetConfigCache();
});

beforeEach(() => {
  smtp.messages.length = 0;
});

// The test database is shared with other test files running in parallel:
// every drain here is restricted to this test's own messages (`ids`).

async function enqueueSignInEmail(to: string, now = new Date()) {
  const email = await prepareEmail(to, {
    template: "sign_in_code",
    code: "123456",
    link: "http://localhost:3000/sign-in/confirm?token=abcDEF_123",
    expiresInMinutes: 10,
  });
  return db.$transaction((tx) => enqueueEmail(tx, email, now));
}

describe("mail outbox over a real SMTP server", () => {
  it("delivers an HTML + text message with the code and the link, then forgets the body", async () => {
    const to = uniqueEmail("outbox");
    const id = await enqueueSignInEmail(to);
    expect(await drainOutbox({ ids: [id] })).toMatchObject({ claimed: 1, sent: 1 });
    const [message] = await smtp.waitFor(1);
    expect(message!.to).toMatchObject({ text: to });
    expect(message!.from?.text).toContain("no-reply@portal.test");
    expect(message!.subject).toBe("123456 is your Auth Portal sign-in code");
    expect(message!.messageId).toBe(`<${id}@portal.test>`);
    expect(message!.html).toContain("123456");
    expect(message!.html).toContain("Auth Portal");
    expect(extractCodeAndLink(message!)).toEqual({
      code: "123456",
      link: "http://localhost:3000/sign-in/confirm?token=abcDEF_123",
    });

    const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "sent", attempts: 1, lastError: null });
    expect(JSON.stringify(row.payload)).not.toContain("123456");
  });

  it("retries with backoff while SMTP is down and delivers once it is back", async () => {
    const start = new Date();
    const id = await enqueueSignInEmail(uniqueEmail("down"), start);
    await smtp.stop();
    try {
      expect(await drainOutbox({ now: start, ids: [id] })).toMatchObject({ claimed: 1, retried: 1 });
      let row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
      expect(row.status).toBe("pending");
      expect(row.lastError).toBeTruthy();
      expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(start.getTime() + RETRY_DELAYS_MS[0]!);
      // Not due yet: nothing is claimed.
      expect(await drainOutbox({ now: new Date(start.getTime() + 1_000), ids: [id] })).toMatchObject({ claimed: 0 });
      const second = new Date(row.nextAttemptAt.getTime() + 1);
      expect(await drainOutbox({ now: second, ids: [id] })).toMatchObject({ retried: 1 });
      row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
      expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(second.getTime() + RETRY_DELAYS_MS[1]!);
    } finally {
      await smtp.start();
    }
    process.env.SMTP_URL = smtp.url;
    resetConfigCache();
    const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(await drainOutbox({ now: new Date(row.nextAttemptAt.getTime() + 1), ids: [id] })).toMatchObject({ sent: 1 });
    await smtp.waitFor(1);
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "sent", attempts: 3 });
  });

  it("gives up after the last retry and leaves the message failed and visible", async () => {
    let now = new Date();
    const id = await enqueueSignInEmail(uniqueEmail("fail"), now);
    const deadServer = smtpTransport("smtp://127.0.0.1:1", "x@portal.test");
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS; attempt++) {
      expect((await drainOutbox({ now, transport: deadServer, ids: [id] })).claimed).toBe(1);
      now = new Date(now.getTime() + 3 * 60 * 60_000);
    }
    const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "failed", attempts: MAX_SEND_ATTEMPTS });
    expect(row.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(await drainOutbox({ now, transport: deadServer, ids: [id] })).toMatchObject({ claimed: 0 });
  });

  it("never sends a message twice when several workers drain at once", async () => {
    const recipients = Array.from({ length: 12 }, (_, index) => uniqueEmail(`parallel${index}`));
    const ids: string[] = [];
    for (const to of recipients) ids.push(await enqueueSignInEmail(to));
    const results = await Promise.all(Array.from({ length: 4 }, () => drainOutbox({ limit: 5, ids })));
    const sentNow = results.reduce((sum, result) => sum + result.sent, 0);
    const rest = await drainOutbox({ limit: 50, ids });
    expect(sentNow + rest.sent).toBe(12);
    await smtp.waitFor(12);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages.map((message) => (message.to as { text: string }).text).sort()).toEqual(
      [...recipients].sort(),
    );
  });

  it("loses nothing and sends nothing twice across a restart in the middle of a send", async () => {
    const now = new Date();
    const ids = [
      await enqueueSignInEmail(uniqueEmail("crash1"), now),
      await enqueueSignInEmail(uniqueEmail("crash2"), now),
    ];
    // Worker A claimed the second message and the process died mid-send: the row stays leased, never marked.
    await db.$executeRaw`UPDATE "OutboxMessage" SET status = 'sending', attempts = 1, "nextAttemptAt" = ${new Date(now.getTime() + SEND_LEASE_MS)} WHERE id = ${ids[1]!}`;
    // Worker B (after the restart) sends what is due and leaves the leased row alone ...
    expect(await drainOutbox({ now, ids })).toMatchObject({ claimed: 1, sent: 1 });
    // ... until its lease has run out ...
    expect(await drainOutbox({ now: new Date(now.getTime() + 1_000), ids })).toMatchObject({ claimed: 0 });
    // ... then it is sent exactly once.
    expect(await drainOutbox({ now: new Date(now.getTime() + SEND_LEASE_MS + 1), ids })).toMatchObject({
      claimed: 1,
      sent: 1,
    });
    expect(await drainOutbox({ now: new Date(now.getTime() + SEND_LEASE_MS * 10), ids })).toMatchObject({ claimed: 0 });
    await smtp.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.messages).toHaveLength(2);
    expect(new Set(smtp.messages.map((message) => message.messageId)).size).toBe(2);
    const rows = await db.outboxMessage.findMany({ where: { id: { in: ids } } });
    expect(rows.every((row) => row.status === "sent")).toBe(true);
  });
});

describe("channels: email and SMS rows in one outbox", () => {
  function recordingMailTransport(): MailTransport & { sent: OutgoingEmail[] } {
    const sent: OutgoingEmail[] = [];
    return { kind: "smtp", sent, send: async (email) => void sent.push(email) };
  }

  async function enqueueSignInSms(to: string) {
    const sms = prepareSms(to, { template: "second_factor_code", code: "654321", expiresInMinutes: 10 });
    return db.$transaction((tx) => enqueueSms(tx, sms));
  }

  it("sends each row through its own channel's transport, exactly once, even with parallel drains", async () => {
    const emailTo = uniqueEmail("mixed");
    const ids = [await enqueueSignInEmail(emailTo), await enqueueSignInSms("+447400555001")];
    const mail = recordingMailTransport();
    const sms = recordingSmsTransport();

    const results = await Promise.all(
      Array.from({ length: 3 }, () => drainOutbox({ ids, transport: mail, smsTransport: sms })),
    );
    expect(results.reduce((sum, result) => sum + result.sent, 0)).toBe(2);
    expect(await drainOutbox({ ids, transport: mail, smsTransport: sms })).toMatchObject({ claimed: 0 });

    expect(mail.sent).toHaveLength(1);
    expect(mail.sent[0]).toMatchObject({ id: ids[0], to: emailTo, subject: "123456 is your Auth Portal sign-in code" });
    expect(sms.sent).toEqual([{ id: ids[1], to: "+447400555001", body: expect.stringMatching(/^654321 is your Auth Portal sign-in code/) }]);
    const rows = await db.outboxMessage.findMany({ where: { id: { in: ids } } });
    expect(rows.map((row) => row.status)).toEqual(["sent", "sent"]);
    // Both transports are real providers here: neither row keeps its code.
    for (const row of rows) expect(JSON.stringify(row.payload)).not.toMatch(/123456|654321/);
    expect(smtp.messages).toHaveLength(0);
  });

  it("a broken SMS setup fails (and retries) only the SMS rows, naming the variable; mail still goes", async () => {
    process.env.TWILIO_ACCOUNT_SID = `AC${"ab".repeat(16)}`;
    try {
      const ids = [await enqueueSignInEmail(uniqueEmail("mixed-broken")), await enqueueSignInSms("+447400555002")];
      const mail = recordingMailTransport();
      expect(await drainOutbox({ ids, transport: mail })).toMatchObject({ claimed: 2, sent: 1, retried: 1 });
      expect(mail.sent).toHaveLength(1);
      const smsRow = await db.outboxMessage.findUniqueOrThrow({ where: { id: ids[1] } });
      expect(smsRow.status).toBe("pending");
      expect(smsRow.lastError).toContain("TWILIO_AUTH_TOKEN");
    } finally {
      delete process.env.TWILIO_ACCOUNT_SID;
    }
  });

  it("never claims rows of a channel it has no transport for", async () => {
    const id = "out_unknown_channel_row";
    await db.outboxMessage.create({ data: { id, channel: "carrier-pigeon", to: "coop", template: "x", payload: {} } });
    expect(await drainOutbox({ ids: [id], transport: recordingMailTransport(), smsTransport: recordingSmsTransport() })).toMatchObject({
      claimed: 0,
    });
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "pending", attempts: 0 });
  });
});
