import "server-only";
import type { Tx } from "@/lib/db";
import { newId } from "@/lib/ids";
import type { PreparedSms, SmsPayload } from "./templates";
import type { SmsTransport } from "./transport";

/**
 * SMS rides the mail outbox (lib/email/outbox.ts): same table, claim, lease,
 * retries and drain, with channel "sms". This module holds what is SMS-specific.
 */

/** Writes a prepared SMS to the outbox inside the caller's transaction (sent after the commit by drainOutbox). */
export async function enqueueSms(tx: Tx, sms: PreparedSms, now = new Date()): Promise<string> {
  const id = newId("outbox");
  await tx.outboxMessage.create({
    data: {
      id,
      channel: "sms",
      to: sms.to,
      template: sms.template,
      payload: sms.payload as object,
      nextAttemptAt: now,
      createdAt: now,
    },
  });
  return id;
}

/**
 * What an SMS row keeps once sent. A real provider delivered it: the live code
 * goes (masked in the text, preview dropped). The dev transport: everything
 * stays, the row IS the dev outbox.
 */
export function deliveredSmsPayload(payload: SmsPayload, kind: SmsTransport["kind"]): SmsPayload {
  if (kind === "dev") return payload;
  const code = payload.preview?.code;
  const body = code ? payload.body.split(code).join("•".repeat(code.length)) : payload.body.replace(/\d{4,}/g, "••••••");
  return { body };
}
