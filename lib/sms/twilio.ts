import "server-only";
import { GiveUpError } from "@/lib/queue";
import type { TwilioConfig } from "./config";
import type { SmsTransport } from "./transport";

export const TWILIO_API_BASE = "https://api.twilio.com/2010-04-01";
/** Fail fast: the outbox retries later rather than holding the loop or the cron run. */
export const TWILIO_TIMEOUT_MS = 10_000;

/**
 * Twilio refusals about the number itself: sending the same text to it again
 * cannot succeed, so the row fails at once instead of retrying for hours.
 * 21211 invalid 'To' number, 21217 number does not appear valid, 21610 the
 * recipient replied STOP, 21612 not reachable by SMS, 21614 not a mobile
 * number. Everything else (authentication, rate limits, 5xx, a proxy's page)
 * is retried: an admin can fix it, or it passes.
 */
export const PERMANENT_TWILIO_ERROR_CODES: ReadonlySet<number> = new Set([21211, 21217, 21610, 21612, 21614]);

/** A refused or failed Messages API call, with Twilio's own error code (https://www.twilio.com/docs/errors/<code>). */
export class TwilioError extends Error {
  readonly status: number;
  readonly code: number | null;

  constructor(status: number, code: number | null, message: string) {
    super(`Twilio HTTP ${status}${code ? ` error ${code}` : ""}: ${message}`);
    this.name = "TwilioError";
    this.status = status;
    this.code = code;
  }
}

/**
 * Twilio Programmable Messaging over plain fetch (no SDK): one POST to the
 * Messages resource, form-encoded, HTTP Basic auth with the Account SID and
 * Auth Token.
 *
 * Delivery is at-least-once, as for mail: the Messages API has no idempotency
 * key (nor a free-form field that would deduplicate), so a crash between
 * Twilio's 201 and our "sent" write sends the code again on the next drain.
 * The outbox row id is not sent anywhere; it stays in our logs and errors.
 */
export function twilioTransport(config: TwilioConfig): SmsTransport {
  const url = `${TWILIO_API_BASE}/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`;
  return {
    kind: "twilio",
    async send(sms) {
      const form = new URLSearchParams({ To: sms.to, Body: sms.body });
      if ("messagingServiceSid" in config.sender) form.set("MessagingServiceSid", config.sender.messagingServiceSid);
      else form.set("From", config.sender.from);

      let response: Response;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: {
            authorization,
            "content-type": "application/x-www-form-urlencoded",
            accept: "application/json",
          },
          body: form.toString(),
          signal: AbortSignal.timeout(TWILIO_TIMEOUT_MS),
        });
      } catch (error) {
        throw new Error(`Twilio unreachable (${sms.id}): ${error instanceof Error ? error.message : String(error)}`);
      }
      // Read the body either way: it frees the connection, and on failure it carries Twilio's error code.
      const text = await response.text().catch(() => "");
      if (!response.ok) {
        const error = twilioError(response.status, text);
        // Failed now (the queue's GiveUpError), with the same message in lastError.
        if (error.code !== null && response.status < 500 && PERMANENT_TWILIO_ERROR_CODES.has(error.code)) throw new GiveUpError(error.message);
        throw error;
      }
    },
  };
}

/** Twilio answers errors as { code, message, more_info, status }; anything else (a proxy's HTML page) is summarised. */
function twilioError(status: number, text: string): TwilioError {
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof body.message === "string") {
      return new TwilioError(status, typeof body.code === "number" ? body.code : null, body.message);
    }
  } catch {
    // not JSON
  }
  return new TwilioError(status, null, text.slice(0, 200) || "no response body");
}
