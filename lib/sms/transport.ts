import "server-only";
import { getConfig } from "@/lib/config";
import { getSmsConfig } from "./config";
import { maskPhoneNumber } from "./phone";
import { twilioTransport } from "./twilio";

export type OutgoingSms = {
  /** The outbox row id (for logs and errors; see twilio.ts on duplicates). */
  id: string;
  /** E.164. */
  to: string;
  body: string;
};

export type SmsTransport = {
  /** "twilio" sends for real; "dev" only logs (the outbox row itself is the dev SMS outbox). */
  kind: "twilio" | "dev";
  send(sms: OutgoingSms): Promise<void>;
};

/** Twilio when its TWILIO_* variables are set, else the dev transport. Throws, naming the variable, on a bad setting. */
export function getSmsTransport(): SmsTransport {
  const config = getSmsConfig();
  return config.provider === "twilio" ? twilioTransport(config) : devSmsTransport;
}

export const devSmsTransport: SmsTransport = {
  kind: "dev",
  async send(sms) {
    // Production logs are shipped and kept: a code there is a sign-in for whoever reads them (S6).
    if (getConfig().NODE_ENV === "production") {
      console.info(`[sms] text to ${maskPhoneNumber(sms.to)} stored in the dev outbox (no TWILIO_* configured)`);
      return;
    }
    console.info(`[sms] (dev outbox, no TWILIO_* configured) to ${sms.to}: ${JSON.stringify(sms.body)}`);
  },
};
