import "server-only";
import { getConfig } from "@/lib/config";
import { normalizePhoneNumber } from "./phone";

/** Texts that carry a code; "account_exists" (a sign-up for a number that has an account) carries none. */
export type SmsCodeTemplateName = "verify_phone" | "second_factor_code" | "sign_in_code" | "sign_up_code" | "password_reset";
export type SmsTemplateName = SmsCodeTemplateName | "account_exists";

export type SmsTemplate =
  | { template: SmsCodeTemplateName; code: string; expiresInMinutes: number }
  | { template: "account_exists"; signInUrl: string };

/** What an SMS row of the outbox holds. `preview.code` is for the dev outbox; a real provider's delivery drops it. */
export type SmsPayload = { body: string; preview?: { code: string } };

export type PreparedSms = { to: string; template: SmsTemplateName; payload: SmsPayload };

const PURPOSE: Record<SmsCodeTemplateName, string> = {
  verify_phone: "verification code",
  second_factor_code: "sign-in code",
  sign_in_code: "sign-in code",
  sign_up_code: "verification code",
  password_reset: "password reset code",
};

/**
 * The text of one SMS: the code first (it shows in the notification preview),
 * then the origin-bound line `@host #code` as the last line, which Android's
 * WebOTP and iOS/Safari's one-time-code autofill read to offer the code on
 * that site only. Kept to one GSM-7 segment for the default instance name.
 */
export function renderSms(message: SmsTemplate, brand: { instanceName: string; host?: string }): string {
  if (message.template === "account_exists") {
    // Same answer on screen for new and known numbers (S10): only the owner's phone learns the difference.
    return `You already have a ${brand.instanceName} account with this number. Sign in instead: ${message.signInUrl}`;
  }
  const minutes = `${message.expiresInMinutes} minute${message.expiresInMinutes === 1 ? "" : "s"}`;
  const lines = [`${message.code} is your ${brand.instanceName} ${PURPOSE[message.template]}. It expires in ${minutes}.`];
  if (message.template === "second_factor_code" || message.template === "sign_in_code" || message.template === "password_reset") {
    lines[0] += " Don't share it.";
  }
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
    payload: {
      body: renderSms(message, { instanceName, host }),
      ...(message.template === "account_exists" ? {} : { preview: { code: message.code } }),
    },
  };
}
