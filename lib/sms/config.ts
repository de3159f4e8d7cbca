import "server-only";
import { z } from "zod";

/**
 * SMS provider settings (S6). Twilio when TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
 * and a sender (TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID) are set; with none
 * of them, the dev outbox. A half-done Twilio setup is an error naming what is
 * missing, never a silent fall back to the dev outbox (codes would go nowhere).
 */

// An empty `TWILIO_FROM=` line in a .env file means "unset", not "invalid".
const optional = (schema: z.ZodString) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());

const smsEnvSchema = z.object({
  TWILIO_ACCOUNT_SID: optional(
    z.string().trim().regex(/^AC[0-9a-f]{32}$/i, { message: "must be an Account SID: AC followed by 32 hex characters" }),
  ),
  TWILIO_AUTH_TOKEN: optional(z.string().trim().min(16, { message: "must be the account's Auth Token" })),
  TWILIO_FROM: optional(
    z.string().trim().regex(/^\+[1-9]\d{6,14}$/, { message: "must be an E.164 phone number, e.g. +14155552671" }),
  ),
  TWILIO_MESSAGING_SERVICE_SID: optional(
    z.string().trim().regex(/^MG[0-9a-f]{32}$/i, { message: "must be a Messaging Service SID: MG followed by 32 hex characters" }),
  ),
});

export type TwilioConfig = {
  accountSid: string;
  authToken: string;
  /** The sender: a Messaging Service (picks a number from its pool) wins over a single number. */
  sender: { messagingServiceSid: string } | { from: string };
};

export type SmsConfig = { provider: "dev" } | ({ provider: "twilio" } & TwilioConfig);

export function loadSmsConfig(env: Record<string, string | undefined>): SmsConfig {
  const parsed = smsEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw invalidConfig(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const { TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_MESSAGING_SERVICE_SID } = parsed.data;
  if (!TWILIO_ACCOUNT_SID && !TWILIO_AUTH_TOKEN && !TWILIO_FROM && !TWILIO_MESSAGING_SERVICE_SID) return { provider: "dev" };

  const missing: string[] = [];
  if (!TWILIO_ACCOUNT_SID) missing.push("TWILIO_ACCOUNT_SID: required when any TWILIO_* variable is set");
  if (!TWILIO_AUTH_TOKEN) missing.push("TWILIO_AUTH_TOKEN: required when any TWILIO_* variable is set");
  if (!TWILIO_FROM && !TWILIO_MESSAGING_SERVICE_SID) {
    missing.push("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: set one, the sender of every SMS");
  }
  if (missing.length > 0) throw invalidConfig(missing);
  return {
    provider: "twilio",
    accountSid: TWILIO_ACCOUNT_SID!,
    authToken: TWILIO_AUTH_TOKEN!,
    sender: TWILIO_MESSAGING_SERVICE_SID ? { messagingServiceSid: TWILIO_MESSAGING_SERVICE_SID } : { from: TWILIO_FROM! },
  };
}

/** Read on every use (a handful of variables): tests and a restarted server see env changes without a cache to reset. */
export function getSmsConfig(): SmsConfig {
  return loadSmsConfig(process.env);
}

function invalidConfig(lines: string[]): Error {
  return new Error(`Invalid SMS configuration:\n${lines.map((line) => `  ${line}`).join("\n")}\nSee .env.example (SMS).`);
}
