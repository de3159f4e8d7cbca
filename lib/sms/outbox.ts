import "server-only";
import type { Tx } from "@/lib/db";
import { newId } from "@/lib/ids";
import { simpleChannel, type QueueChannel } from "@/lib/queue";
import { emitNothing, emitWebhookEvent } from "@/lib/webhooks/events";
import { maskPhoneNumber } from "./phone";
import type { PreparedSms, SmsPayload } from "./templates";
import { getSmsTransport, type SmsTransport } from "./transport";

/**
 * SMS rides the one queue (lib/queue): same table, claim, lease, retries and
 * drain as mail, with channel "sms". This module holds what is SMS-specific.
 */

/** Delays before retry n (after failed attempt n), as for mail; after the last one the text is failed. */
export const SMS_RETRY_DELAYS_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000];

/**
 * Writes a prepared SMS to the outbox inside the caller's transaction (sent
 * after the commit by the queue drain), with its `sms.created` webhook event.
 */
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
  await emitWebhookEvent(
    tx,
    "sms.created",
    { object: "sms_message", id, slug: sms.template, to_phone_number: sms.to, message: sms.payload.body, status: "queued" },
    now,
  );
  return id;
}

/**
 * The database round trips of `enqueueSms` (its event included) without
 * writing anything: a code for an unknown number then costs what one for a
 * known number costs, so timing does not tell them apart (S10).
 */
export async function enqueueNoSms(tx: Tx): Promise<void> {
  await tx.outboxMessage.updateMany({ where: { id: newId("outbox") }, data: { attempts: 0 } });
  await emitNothing(tx, "sms.created");
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

/** The queue channel for texts: `transport`, or the one the environment configures (Twilio or dev). */
export function smsChannel(transport?: SmsTransport): QueueChannel {
  // Resolved at the first SMS row: a bad TWILIO_* setting then fails (and retries) SMS rows, never mail.
  let resolved = transport;
  const smsTransport = () => (resolved ??= getSmsTransport());
  return simpleChannel({
    name: "sms",
    retryDelaysMs: SMS_RETRY_DELAYS_MS,
    concurrency: 4,
    send: (row) => smsTransport().send({ id: row.id, to: row.to, body: (row.payload as SmsPayload).body }),
    keptAfterSend: (row) => deliveredSmsPayload(row.payload as SmsPayload, smsTransport().kind),
    // Phone numbers are masked in logs, as the dev transport does.
    onGiveUp: (row, reason) =>
      console.error(`[sms] giving up on ${row.id} to ${maskPhoneNumber(row.to)} after ${row.attempts} attempts: ${reason}`),
  });
}
