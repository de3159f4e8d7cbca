import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { enqueueSms, prepareSms, renderSms } from "./index";

afterEach(() => {
  process.env.AUTH_URL = "http://localhost:3000";
  delete process.env.NEXT_PUBLIC_INSTANCE_NAME;
  resetConfigCache();
});

describe("SMS templates", () => {
  it("puts the code first and the origin-bound autofill line last", () => {
    expect(renderSms({ template: "verify_phone", code: "123456", expiresInMinutes: 10 }, { instanceName: "Auth Portal", host: "auth.example.com" })).toBe(
      "123456 is your Auth Portal verification code. It expires in 10 minutes.\n\n@auth.example.com #123456",
    );
    expect(renderSms({ template: "second_factor_code", code: "654321", expiresInMinutes: 1 }, { instanceName: "Acme" })).toBe(
      "654321 is your Acme sign-in code. It expires in 1 minute. Don't share it.",
    );
  });

  it("uses the instance name and AUTH_URL's host (without its port), and normalizes the number", () => {
    process.env.AUTH_URL = "https://auth.example.com:8443";
    process.env.NEXT_PUBLIC_INSTANCE_NAME = "Acme ID";
    resetConfigCache();
    const sms = prepareSms("+1 (415) 555-2671", { template: "verify_phone", code: "246810", expiresInMinutes: 10 });
    expect(sms).toEqual({
      to: "+14155552671",
      template: "verify_phone",
      payload: {
        body: "246810 is your Acme ID verification code. It expires in 10 minutes.\n\n@auth.example.com #246810",
        preview: { code: "246810" },
      },
    });
    expect(sms.payload.body.length).toBeLessThanOrEqual(160);
  });

  it("refuses a number that is not E.164 (normalize it with the user's country first)", () => {
    expect(() => prepareSms("07400 123456", { template: "verify_phone", code: "1", expiresInMinutes: 10 })).toThrow(/country code/);
  });

  it("enqueues an sms-channel outbox row in the caller's transaction, rolled back with it", async () => {
    const sms = prepareSms("+447400100200", { template: "verify_phone", code: "112233", expiresInMinutes: 10 });
    const id = await db.$transaction((tx) => enqueueSms(tx, sms));
    expect(await db.outboxMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({
      channel: "sms",
      to: "+447400100200",
      template: "verify_phone",
      status: "pending",
      payload: sms.payload,
    });

    const rolledBack = prepareSms("+447400100201", { template: "verify_phone", code: "445566", expiresInMinutes: 10 });
    await expect(
      db.$transaction(async (tx) => {
        await enqueueSms(tx, rolledBack);
        throw new Error("the action failed");
      }),
    ).rejects.toThrow("the action failed");
    expect(await db.outboxMessage.count({ where: { to: "+447400100201" } })).toBe(0);
  });
});
