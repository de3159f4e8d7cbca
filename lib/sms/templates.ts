import "server-only";
import { getConfig } from "@/lib/config";
import { normalizePhoneNumber } from "./phone";

export type SmsTemplateName = "verify_phone" | "second_factor_code";

export type SmsTemplate = { template: SmsTemplateName; code: string; expiresInMinutes: number };

/** What an SMS row of the outbox holds. `preview.code` is for the dev outbox; a real provider's delivery drops it. */
export type SmsPayload = { body: string; preview?: { code: string } };

export type PreparedSms = { to: string; template: SmsTemplateName; payload: SmsPayload };

const PURPOSE: Record<SmsTemplateName, string> = {
  verify_phone: "verification code",
  second_factor_code: "sign-in code",
};

/**
 * The text of one SMS: the code first (it shows in the notification preview),
 * then the origin-bound line `@host #code` as the last line, which Android's
 * WebOTP and iOS/Safari's one-time-code autofill read to offer the code on
 * that site only. Kept to one GSM-7 segment for the default instance name.
 */
export function renderSms(message: SmsTemplate, brand: { instanceName: string; host?: string }): string {
  const minutes = `${message.expiresInMinutes} minute${message.expiresInMinutes === 1 ? "" : "s"}`;
  const lines = [`${message.code} is your ${brand.instanceName} ${PURPOSE[message.template]}. It expires in ${minutes}.`];
  if (message.template === "second_factor_code") lines[0] += " Don't share it.";
  if (brand.host) lines.push("", `@${brand.host} #${message.code}`);
  return lines.join("\n");
}

/** Renders an SMS for `to` (normalized to E.164). Do this before opening the transaction. */
export function prepareSms(to: string, message: SmsTemplate): PreparedSms {
  const instanceName = process.env.NEXT_PUBLIC_INSTANCE_NAME?.trim() || "Auth Portal";
  const authUrl = getConfig().AUTH_URL;
  // The host without a port: the origin-bound line names a domain (a port would make it unreadable).
  const host = authUrl ? new URL(authUrl).hostname : undefined;
  return {
    to: normalizePhoneNumber(to),
    template: message.template,
    payload: { body: renderSms(message, { instanceName, host }), preview: { code: message.code } },
  };
}
