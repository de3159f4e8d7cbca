import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { drainOutbox, RETRY_DELAYS_MS } from "@/lib/email";
import { enqueueSms, prepareSms } from "@/lib/sms";

// Twilio at the fetch boundary: the real transport (chosen from TWILIO_* env)
// inside the real outbox, with a fake fetch standing in for api.twilio.com.

const SID = `AC${"0f".repeat(16)}`;
const TOKEN = "twilio-test-auth-token-0123456789";
const FROM = "+14155550100";
const SERVICE = `MG${"1e".repeat(16)}`;
const CODE = "739146";

type Call = { url: string; init: RequestInit };

/** A fake fetch answering every call with `status` and `body`, recording each request. */
function fakeTwilio(status: number, body: unknown) {
  const calls: Call[] = [];
  const fake = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  });
  vi.stubGlobal("fetch", fake);
  return calls;
}

async function queueSms(to = "+447400123456", now = new Date()): Promise<string> {
  const sms = prepareSms(to, { template: "second_factor_code", code: CODE, expiresInMinutes: 10 });
  return db.$transaction((tx) => enqueueSms(tx, sms, now));
}

function useTwilioEnv(sender: { TWILIO_FROM: string } | { TWILIO_MESSAGING_SERVICE_SID: string }) {
  process.env.TWILIO_ACCOUNT_SID = SID;
  process.env.TWILIO_AUTH_TOKEN = TOKEN;
  delete process.env.TWILIO_FROM;
  delete process.env.TWILIO_MESSAGING_SERVICE_SID;
  Object.assign(process.env, sender);
}

beforeAll(() => {
  process.env.OUTBOX_LOOP = "off";
});

afterEach(() => {
  vi.unstubAllGlobals();
});

afterAll(() => {
  for (const name of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_MESSAGING_SERVICE_SID"]) delete process.env[name];
});

describe("Twilio transport through the outbox", () => {
  it("POSTs the Messages resource with Basic auth and a form body, then marks the row sent without its code", async () => {
    useTwilioEnv({ TWILIO_FROM: FROM });
    const calls = fakeTwilio(201, { sid: "SM123", status: "queued" });
    const id = await queueSms();

    expect(await drainOutbox({ ids: [id] })).toMatchObject({ claimed: 1, sent: 1 });

    expect(calls).toHaveLength(1);
    const [{ url, init }] = calls as [Call];
    expect(url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(init.method).toBe("POST");
    const headers = new Headers(init.headers);
    expect(headers.get("authorization")).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}`);
    expect(headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(init.signal).toBeInstanceOf(AbortSignal);
    const form = new URLSearchParams(String(init.body));
    expect([...form.keys()].sort()).toEqual(["Body", "From", "To"]);
    expect(form.get("To")).toBe("+447400123456");
    expect(form.get("From")).toBe(FROM);
    expect(form.get("Body")).toMatch(new RegExp(`^${CODE} is your Auth Portal sign-in code\\.`));
    expect(form.get("Body")).toMatch(new RegExp(`\\n@localhost #${CODE}$`));

    const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "sent", attempts: 1, lastError: null });
    expect(JSON.stringify(row.payload)).not.toContain(CODE);
    expect((row.payload as { body: string }).body).toContain("is your Auth Portal sign-in code");
  });

  it("sends through a Messaging Service instead of a number when one is configured", async () => {
    useTwilioEnv({ TWILIO_MESSAGING_SERVICE_SID: SERVICE });
    const calls = fakeTwilio(201, { sid: "SM124", status: "accepted" });
    const id = await queueSms();
    expect(await drainOutbox({ ids: [id] })).toMatchObject({ sent: 1 });
    const form = new URLSearchParams(String(calls[0]!.init.body));
    expect(form.get("MessagingServiceSid")).toBe(SERVICE);
    expect(form.has("From")).toBe(false);
  });

  it("records Twilio's error code and message on a 4xx and retries later, keeping the code for the retry", async () => {
    useTwilioEnv({ TWILIO_FROM: FROM });
    // Too many requests: passes on its own.
    fakeTwilio(429, {
      code: 20429,
      message: "Too Many Requests",
      more_info: "https://www.twilio.com/docs/errors/20429",
      status: 429,
    });
    const now = new Date();
    const id = await queueSms("+447400123457", now);

    expect(await drainOutbox({ now, ids: [id] })).toMatchObject({ claimed: 1, sent: 0, retried: 1 });

    const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.lastError).toContain("20429");
    expect(row.lastError).toContain("Too Many Requests");
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(now.getTime() + RETRY_DELAYS_MS[0]!);
    expect(JSON.stringify(row.payload)).toContain(CODE);

    // Twilio accepts the retry: sent, code gone.
    const calls = fakeTwilio(201, { sid: "SM125" });
    expect(await drainOutbox({ now: new Date(row.nextAttemptAt.getTime() + 1), ids: [id] })).toMatchObject({ sent: 1 });
    expect(calls).toHaveLength(1);
    const sent = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(sent).toMatchObject({ status: "sent", attempts: 2, lastError: null });
    expect(JSON.stringify(sent.payload)).not.toContain(CODE);
  });

  it("fails a text at once when Twilio refuses the number itself (invalid, not a mobile, unsubscribed): retrying cannot help", async () => {
    useTwilioEnv({ TWILIO_FROM: FROM });
    for (const [code, message] of [
      [21211, "Invalid 'To' Phone Number"],
      [21614, "'To' number is not a valid mobile number"],
      [21610, "Attempt to send to unsubscribed recipient"],
    ] as const) {
      const calls = fakeTwilio(400, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
      const now = new Date();
      const id = await queueSms("+447400123459", now);
      expect(await drainOutbox({ now, ids: [id] })).toMatchObject({ claimed: 1, sent: 0, retried: 0, failed: 1 });
      const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ status: "failed", attempts: 1 });
      expect(row.lastError).toContain(String(code));
      expect(row.lastError).toContain(message);
      // Nothing more is sent for it, however late the next drain runs.
      expect(await drainOutbox({ now: new Date(now.getTime() + 24 * 3_600_000), ids: [id] })).toMatchObject({ claimed: 0 });
      expect(calls).toHaveLength(1);
    }
  });

  it("retries a refusal an admin can fix (wrong credentials) and a Twilio outage", async () => {
    useTwilioEnv({ TWILIO_FROM: FROM });
    for (const [status, code] of [
      [401, 20003],
      [503, 21211], // a 5xx is Twilio's own trouble, whatever code it carries
    ] as const) {
      fakeTwilio(status, { code, message: "refused", status });
      const id = await queueSms("+447400123460");
      expect(await drainOutbox({ ids: [id] })).toMatchObject({ claimed: 1, retried: 1, failed: 0 });
      expect(await db.outboxMessage.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "pending" });
    }
  });

  it("records an unreachable Twilio (network error or timeout) and retries", async () => {
    useTwilioEnv({ TWILIO_FROM: FROM });
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
      }),
    );
    const id = await queueSms("+447400123458");
    expect(await drainOutbox({ ids: [id] })).toMatchObject({ retried: 1 });
    const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("pending");
    expect(row.lastError).toMatch(/Twilio unreachable.*timeout/);
  });
});
