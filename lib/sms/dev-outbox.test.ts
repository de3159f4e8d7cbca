import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { drainOutbox } from "@/lib/email";
import { makeRequest } from "@/test/http";
import { GET as smsJson } from "@/app/dev/sms.json/route";
import { devSmsTransport, enqueueSms, listDevSms, prepareSms } from "./index";

async function queueSms(to: string, code: string, createdAt: Date): Promise<string> {
  const sms = prepareSms(to, { template: "verify_phone", code, expiresInMinutes: 10 });
  return db.$transaction((tx) => enqueueSms(tx, sms, createdAt));
}

afterEach(() => {
  (process.env as Record<string, string>).NODE_ENV = "test";
  delete process.env.DEV_INBOX;
  resetConfigCache();
});

describe("dev SMS outbox", () => {
  it("lists a number's texts newest first, each with its code, after the dev transport sent them", async () => {
    const to = "+447400300400";
    const older = await queueSms(to, "111111", new Date(Date.now() - 60_000));
    const newer = await queueSms(to, "222222", new Date());
    await queueSms("+447400300401", "333333", new Date());
    expect(await drainOutbox({ ids: [older, newer], smsTransport: devSmsTransport })).toMatchObject({ sent: 2 });

    const messages = await listDevSms({ to });
    expect(messages.map((message) => [message.id, message.code, message.status])).toEqual([
      [newer, "222222", "sent"],
      [older, "111111", "sent"],
    ]);
    expect(messages[0]!.body).toContain("222222 is your Auth Portal verification code");
  });

  it("serves /dev/sms.json (a `+` sent unencoded still matches) and 404s in production unless DEV_INBOX=on", async () => {
    const to = "+447400300402";
    await queueSms(to, "444444", new Date());
    const read = async () => smsJson(makeRequest(`/dev/sms.json?to=${to}`));

    const response = await read();
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as { messages: { to: string; code: string }[] };
    expect(messages).toEqual([expect.objectContaining({ to, code: "444444" })]);

    (process.env as Record<string, string>).NODE_ENV = "production";
    resetConfigCache();
    expect((await read()).status).toBe(404);
    process.env.DEV_INBOX = "on";
    resetConfigCache();
    expect((await read()).status).toBe(200);
  });
});
