import "server-only";
import type { Tx } from "@/lib/db";
import { newId } from "@/lib/ids";
import { absoluteInstanceUrl, getBranding } from "@/lib/branding";
import { drainQueue, QUEUE_LEASE_MS, simpleChannel, type DrainResult, type QueueChannel } from "@/lib/queue";
import { kickBackgroundWork } from "@/lib/background/kick";
import { smsChannel, type SmsTransport } from "@/lib/sms";
import { emitNothing, emitWebhookEvent } from "@/lib/webhooks/events";
import { renderEmail, type EmailTemplate, type RenderedEmail } from "./templates";
import { getMailTransport, type MailTransport } from "./transport";

/**
 * Durable mail outbox (S4). A message is rendered, then written in the same
 * transaction as the action that causes it, and sent later through the one
 * queue (lib/queue: claim with FOR UPDATE SKIP LOCKED, lease, backoff) by the
 * in-process loop, the cron route, or a kick right after the commit. SMS (S6)
 * and webhooks (S9) are other channels of the same queue. Delivery is
 * at-least-once: a crash between the SMTP server's "250 OK" and our "sent"
 * write re-sends, with the same Message-ID.
 */

/** Delays before retry n (after failed attempt n); after the last one the message is failed. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000];
export const MAX_SEND_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A claimed message not marked within this time is considered abandoned and claimed again. */
export const SEND_LEASE_MS = QUEUE_LEASE_MS;

export type OutboxPayload = RenderedEmail & { preview?: { code?: string; link?: string } };

export type PreparedEmail = { to: string; template: EmailTemplate["template"]; payload: OutboxPayload };

/**
 * Renders a template with the instance branding (name, colour, logo; S8).
 * Do this before opening the transaction: it reads settings and the logo.
 */
export async function prepareEmail(to: string, message: EmailTemplate): Promise<PreparedEmail> {
  const branding = await getBranding();
  // Mail clients need an absolute URL: without AUTH_URL the email goes without the logo.
  const logoUrl = absoluteInstanceUrl(branding.logoUrl);
  const logo = logoUrl && branding.logoSize ? { url: logoUrl, ...branding.logoSize } : null;
  const rendered = await renderEmail(message, { instanceName: branding.instanceName, brandColor: branding.brandColor, logo });
  // The dev inbox shows the code and the link; either may be missing (S8: code only, link only).
  const preview =
    "code" in message || "link" in message
      ? { code: "code" in message ? message.code : undefined, link: "link" in message ? message.link : undefined }
      : undefined;
  return { to, template: message.template, payload: { ...rendered, ...(preview ? { preview } : {}) } };
}

/** Writes a prepared email to the outbox inside the caller's transaction, with its `email.created` webhook event. */
export async function enqueueEmail(tx: Tx, email: PreparedEmail, now = new Date()): Promise<string> {
  const id = newId("outbox");
  await tx.outboxMessage.create({
    data: {
      id,
      channel: "email",
      to: email.to,
      template: email.template,
      payload: email.payload as object,
      nextAttemptAt: now,
      createdAt: now,
    },
  });
  await emitWebhookEvent(
    tx,
    "email.created",
    {
      object: "email",
      id,
      slug: email.template,
      to_email_address: email.to,
      subject: email.payload.subject,
      body: email.payload.html,
      body_plain: email.payload.text,
      status: "queued",
    },
    now,
  );
  return id;
}

/**
 * The database round trips of `enqueueEmail` (its event included) without
 * writing anything: a request that sends no email (unknown address) then
 * costs what one that does costs, so timing does not tell them apart (S10).
 */
export async function enqueueNothing(tx: Tx): Promise<void> {
  await tx.outboxMessage.updateMany({ where: { id: newId("outbox") }, data: { attempts: 0 } });
  await emitNothing(tx, "email.created");
}

export type { DrainResult };

/** The queue channel for mail through `transport` (default: SMTP_URL's, or the dev inbox). */
export function emailChannel(transport: MailTransport = getMailTransport()): QueueChannel {
  return simpleChannel({
    name: "email",
    retryDelaysMs: RETRY_DELAYS_MS,
    concurrency: 4,
    send: (row) => transport.send({ id: row.id, to: row.to, ...(row.payload as OutboxPayload) }),
    // Real mail: drop the rendered body (it holds a live code and link) once delivered.
    // Dev mail: keep it, the row IS the dev inbox.
    keptAfterSend: (row) => {
      const payload = row.payload as OutboxPayload;
      return transport.kind === "smtp" ? { subject: payload.subject.replace(/\b\d{6}\b/g, "••••••") } : payload;
    },
    onGiveUp: (row, reason) => console.error(`[mail] giving up on ${row.id} to ${row.to} after ${row.attempts} attempts: ${reason}`),
  });
}

/**
 * Sends due mail and SMS (up to `limit`), each through its channel's transport
 * (`transport` for mail, `smsTransport` for SMS; default: from the
 * environment). Safe to run from any number of processes at once. `ids`
 * restricts the run to those messages (an admin's "send now", tests).
 * Webhook rows are left alone here: `drainAll` (lib/background) drains every channel.
 */
export async function drainOutbox(
  options: { now?: Date; limit?: number; transport?: MailTransport; smsTransport?: SmsTransport; ids?: string[] } = {},
): Promise<DrainResult> {
  const { transport, smsTransport, ...drain } = options;
  return drainQueue([emailChannel(transport), smsChannel(smsTransport)], { limit: 20, ...drain });
}

/**
 * Right after a commit that wrote mail (or texts, or webhook events): drain
 * every channel now instead of at the next loop tick (lib/queue/kick.ts:
 * after the response through Next's `after()`, else fire-and-forget).
 */
export function kickOutbox(): void {
  kickBackgroundWork();
}
