import "server-only";
import { db, type Tx } from "@/lib/db";
import { newId } from "@/lib/ids";
import { getConfig } from "@/lib/config";
import { absoluteInstanceUrl, getBranding } from "@/lib/branding";
import { deliveredSmsPayload, getSmsTransport, maskPhoneNumber, type SmsPayload, type SmsTransport } from "@/lib/sms";
import { renderEmail, type EmailTemplate, type RenderedEmail } from "./templates";
import { getMailTransport, type MailTransport } from "./transport";

/**
 * Durable mail outbox (S4). A message is rendered, then written in the same
 * transaction as the action that causes it, and sent later by `drainOutbox`
 * (in-process loop, cron route, or a kick right after the commit). SMS (S6)
 * uses the same table and machinery: each row's `channel` picks its transport
 * (lib/sms writes the "sms" rows).
 *
 * Claiming takes rows with FOR UPDATE SKIP LOCKED and leases them (status
 * "sending", nextAttemptAt = lease end), so concurrent workers never take the
 * same row and a worker that dies mid-send leaves a row that is retried once
 * the lease has run out. Delivery is at-least-once: a crash between the SMTP
 * server's "250 OK" and our "sent" write re-sends, with the same Message-ID.
 */

/** Delays before retry n (after failed attempt n); after the last one the message is failed. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000];
export const MAX_SEND_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A claimed message not marked within this time is considered abandoned and claimed again. */
export const SEND_LEASE_MS = 2 * 60_000;

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
  const preview = "code" in message ? { code: message.code, link: "link" in message ? message.link : undefined } : undefined;
  return { to, template: message.template, payload: { ...rendered, ...(preview ? { preview } : {}) } };
}

/** Writes a prepared email to the outbox inside the caller's transaction. */
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
  return id;
}

/**
 * The database round trip of `enqueueEmail` without writing anything: a
 * request that sends no email (unknown address) then costs what one that
 * does costs, so timing does not tell them apart (S10).
 */
export async function enqueueNothing(tx: Tx): Promise<void> {
  await tx.outboxMessage.updateMany({ where: { id: newId("outbox") }, data: { attempts: 0 } });
}

type ClaimedRow = { id: string; channel: OutboxChannel; to: string; payload: unknown; attempts: number };

export type DrainResult = { claimed: number; sent: number; retried: number; failed: number };

/** The channels drained here; rows of any other channel are left alone (never claimed, never burnt). */
const OUTBOX_CHANNELS = ["email", "sms"] as const;
type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

/** How a claimed row of one channel is sent, and what the row keeps once it was. */
type ChannelSender = {
  send(row: ClaimedRow): Promise<void>;
  keptAfterSend(row: ClaimedRow): object;
};

function channelSenders(mail: MailTransport, smsOverride?: SmsTransport): Record<OutboxChannel, ChannelSender> {
  // Resolved at the first SMS row: a bad TWILIO_* setting then fails (and retries) SMS rows, never mail.
  let sms = smsOverride;
  const smsTransport = () => (sms ??= getSmsTransport());
  return {
    email: {
      send: (row) => mail.send({ id: row.id, to: row.to, ...(row.payload as OutboxPayload) }),
      // Real mail: drop the rendered body (it holds a live code and link) once delivered.
      // Dev mail: keep it, the row IS the dev inbox.
      keptAfterSend: (row) => {
        const payload = row.payload as OutboxPayload;
        return mail.kind === "smtp" ? { subject: payload.subject.replace(/\b\d{6}\b/g, "••••••") } : payload;
      },
    },
    sms: {
      send: (row) => smsTransport().send({ id: row.id, to: row.to, body: (row.payload as SmsPayload).body }),
      keptAfterSend: (row) => deliveredSmsPayload(row.payload as SmsPayload, smsTransport().kind),
    },
  };
}

/**
 * Sends due messages (up to `limit`), each through its channel's transport
 * (`transport` for mail, `smsTransport` for SMS; default: from the environment).
 * Safe to run from any number of processes at once. `ids` restricts the run to
 * those messages (an admin's "send now").
 */
export async function drainOutbox(
  options: { now?: Date; limit?: number; transport?: MailTransport; smsTransport?: SmsTransport; ids?: string[] } = {},
): Promise<DrainResult> {
  const now = options.now ?? new Date();
  const senders = channelSenders(options.transport ?? getMailTransport(), options.smsTransport);
  const claimed = await claimDueMessages(now, options.limit ?? 20, options.ids);
  const result: DrainResult = { claimed: claimed.length, sent: 0, retried: 0, failed: 0 };
  for (const row of claimed) {
    const sender = senders[row.channel];
    try {
      await sender.send(row);
      await markSent(row, sender.keptAfterSend(row), options.now ?? new Date());
      result.sent++;
    } catch (error) {
      const outcome = await markFailedAttempt(row, error, options.now ?? new Date());
      result[outcome]++;
    }
  }
  return result;
}

async function claimDueMessages(now: Date, limit: number, ids?: string[]): Promise<ClaimedRow[]> {
  const leaseUntil = new Date(now.getTime() + SEND_LEASE_MS);
  // One statement: the sub-select locks due rows (skipping rows another worker holds)
  // and the update leases them, so a row is never claimed twice.
  return db.$queryRaw<ClaimedRow[]>`
    UPDATE "OutboxMessage" AS message
    SET status = 'sending', attempts = message.attempts + 1, "nextAttemptAt" = ${leaseUntil}, "updatedAt" = ${now}
    WHERE message.id IN (
      SELECT id FROM "OutboxMessage"
      WHERE channel = ANY(${[...OUTBOX_CHANNELS]}::text[]) AND status IN ('pending', 'sending') AND "nextAttemptAt" <= ${now}
        AND (${ids ?? null}::text[] IS NULL OR id = ANY(${ids ?? null}::text[]))
      ORDER BY "nextAttemptAt"
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING message.id, message.channel, message."to", message.payload, message.attempts`;
}

/** Only the worker holding the current lease (same attempt number, still sending) may finish a row. */
function leaseHeldBy(row: ClaimedRow) {
  return { id: row.id, status: "sending" as const, attempts: row.attempts };
}

async function markSent(row: ClaimedRow, keptPayload: object, now: Date): Promise<void> {
  await db.outboxMessage.updateMany({
    where: leaseHeldBy(row),
    data: { status: "sent", sentAt: now, lastError: null, payload: keptPayload },
  });
}

async function markFailedAttempt(row: ClaimedRow, error: unknown, now: Date): Promise<"retried" | "failed"> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  const giveUp = row.attempts >= MAX_SEND_ATTEMPTS;
  const delay = RETRY_DELAYS_MS[Math.min(row.attempts, RETRY_DELAYS_MS.length) - 1]!;
  await db.outboxMessage.updateMany({
    where: leaseHeldBy(row),
    data: giveUp
      ? { status: "failed", lastError: message }
      : { status: "pending", lastError: message, nextAttemptAt: new Date(now.getTime() + delay) },
  });
  if (giveUp) {
    // Phone numbers are masked in logs, as the SMS dev transport does.
    const [label, to] = row.channel === "sms" ? ["sms", maskPhoneNumber(row.to)] : ["mail", row.to];
    console.error(`[${label}] giving up on ${row.id} to ${to} after ${row.attempts} attempts: ${message}`);
  }
  return giveUp ? "failed" : "retried";
}

let draining = false;
let drainAgain = false;

/**
 * Fire-and-forget drain right after a commit, so mail (and the dev inbox)
 * shows up at once instead of at the next loop tick. Coalesced per process:
 * a kick during a drain runs one more drain afterwards.
 */
export function kickOutbox(): void {
  if (getConfig().OUTBOX_LOOP === "off") return;
  if (draining) {
    drainAgain = true;
    return;
  }
  draining = true;
  void (async () => {
    try {
      do {
        drainAgain = false;
        await drainOutbox();
      } while (drainAgain);
    } catch (error) {
      console.error("[mail] outbox drain failed", error);
    } finally {
      draining = false;
    }
  })();
}
