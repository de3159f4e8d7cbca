import { expect, type APIRequestContext } from "@playwright/test";

/** One text as /dev/sms.json lists it (the server runs without TWILIO_* and DEV_INBOX=on: the dev SMS outbox). */
export type DevSms = { id: string; to: string; template: string; body: string; code: string | null; createdAt: string };

/**
 * Waits for the newest text to `phone` (E.164; newer than `after`, when given)
 * and returns it: the code as its owner would read it on their phone.
 */
export async function waitForSms(
  request: APIRequestContext,
  phone: string,
  options: { after?: DevSms | null; template?: string } = {},
): Promise<DevSms> {
  let found: DevSms | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get(`/dev/sms.json?to=${encodeURIComponent(phone)}`);
        if (!response.ok()) return `HTTP ${response.status()}`;
        const { messages } = (await response.json()) as { messages: DevSms[] };
        found = messages.find(
          (message) =>
            (!options.template || message.template === options.template) &&
            (!options.after || (message.id !== options.after.id && message.createdAt >= options.after.createdAt)),
        );
        return found ? "arrived" : "waiting";
      },
      { message: `a text to ${phone}`, timeout: 15_000, intervals: [100, 250, 500] },
    )
    .toBe("arrived");
  return found!;
}

/** A UK mobile number (07400 is an allocated mobile range) nobody else in the run uses. */
export function uniquePhone(): string {
  return `+447400${String(100000 + Math.floor(Math.random() * 900000))}`;
}
