import "server-only";
import { getConfig } from "@/lib/config";
import { drainQueue, startQueueLoop, type DrainOptions, type DrainResult } from "@/lib/queue";
import { emailChannel, type MailTransport } from "@/lib/email";
import { smsChannel, type SmsTransport } from "@/lib/sms";
import { webhookChannel, type WebhookChannelOptions } from "@/lib/webhooks/channel";

/** How often the in-process loop looks for due messages (retries included). */
export const BACKGROUND_LOOP_INTERVAL_MS = 5_000;

export type DrainAllOptions = DrainOptions & {
  /** Mail transport (default: SMTP_URL's, or the dev inbox). */
  transport?: MailTransport;
  /** SMS transport (default: Twilio's from TWILIO_*, or the dev outbox). */
  smsTransport?: SmsTransport;
  webhooks?: WebhookChannelOptions;
};

/**
 * THE drain (S12): every channel of the one queue, mail, SMS and webhooks,
 * each claiming and sending its own batches side by side. The in-process
 * loop, the cron route and the post-commit kick all call this.
 */
export function drainAll(options: DrainAllOptions = {}): Promise<DrainResult> {
  const { transport, smsTransport, webhooks, ...drain } = options;
  return drainQueue([emailChannel(transport), smsChannel(smsTransport), webhookChannel(webhooks)], drain);
}

/**
 * The self-hosted server's background sender, started from
 * instrumentation.ts; OUTBOX_LOOP=off turns it off (then only the cron
 * route sends).
 */
export function startBackgroundLoop(): void {
  if (getConfig().OUTBOX_LOOP === "off") return;
  startQueueLoop(() => drainAll({ maxDurationMs: 20_000 }), BACKGROUND_LOOP_INTERVAL_MS);
}
