import { describe, expect, it } from "vitest";
import { loadSmsConfig } from "./config";

const SID = `AC${"a1".repeat(16)}`;
const TOKEN = "0123456789abcdef0123456789abcdef";
const SERVICE = `MG${"b2".repeat(16)}`;

describe("SMS configuration", () => {
  it("is the dev outbox with no TWILIO_* variable (empty lines count as unset)", () => {
    expect(loadSmsConfig({})).toEqual({ provider: "dev" });
    expect(loadSmsConfig({ TWILIO_FROM: "", TWILIO_ACCOUNT_SID: " " })).toEqual({ provider: "dev" });
  });

  it("is Twilio with the account, token and a sender number", () => {
    expect(loadSmsConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "+14155550100" })).toEqual({
      provider: "twilio",
      accountSid: SID,
      authToken: TOKEN,
      sender: { from: "+14155550100" },
    });
  });

  it("prefers a Messaging Service over a single number", () => {
    const config = loadSmsConfig({
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_FROM: "+14155550100",
      TWILIO_MESSAGING_SERVICE_SID: SERVICE,
    });
    expect(config).toMatchObject({ provider: "twilio", sender: { messagingServiceSid: SERVICE } });
  });

  it("names what is missing in a half-done Twilio setup instead of falling back to the dev outbox", () => {
    expect(() => loadSmsConfig({ TWILIO_ACCOUNT_SID: SID })).toThrow(/TWILIO_AUTH_TOKEN[\s\S]*TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID/);
    expect(() => loadSmsConfig({ TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "+14155550100" })).toThrow(/TWILIO_ACCOUNT_SID: required/);
  });

  it("names a malformed variable", () => {
    expect(() => loadSmsConfig({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "415 555 0100" })).toThrow(
      /TWILIO_FROM: must be an E\.164 phone number/,
    );
    expect(() => loadSmsConfig({ TWILIO_ACCOUNT_SID: "SK123", TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "+14155550100" })).toThrow(
      /TWILIO_ACCOUNT_SID: must be an Account SID/,
    );
  });
});
