// Test helper (imported by *.test.ts only): an in-memory SMS transport, and
// `deliverSms(to)` which sends that number's pending SMS through it.
import { db } from "@/lib/db";
import { drainOutbox } from "@/lib/email/outbox";
import type { OutgoingSms, SmsTransport } from "./transport";

export type RecordingSmsTransport = SmsTransport & { sent: OutgoingSms[] };

/** Records every SMS it is given; `kind` "twilio" behaves as a real provider for the outbox (the code is scrubbed once sent). */
export function recordingSmsTransport(kind: SmsTransport["kind"] = "twilio"): RecordingSmsTransport {
  const sent: OutgoingSms[] = [];
  return {
    kind,
    sent,
    async send(sms) {
      sent.push(sms);
    },
  };
}

/** The code in an SMS body: the origin-bound last line's `#code`, else the first 6-digit number. */
export function codeInSms(body: string): string {
  const code = body.match(/#(\d{4,10})\s*$/)?.[1] ?? body.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in SMS:\n${body}`);
  return code;
}

/** For flow tests: sends every pending SMS to `to` (E.164) through a recording transport and returns the newest. */
export async function deliverSms(to: string): Promise<OutgoingSms & { code: string }> {
  const pending = await db.outboxMessage.findMany({
    where: { channel: "sms", to, status: "pending" },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  if (pending.length === 0) throw new Error(`no pending SMS to ${to}`);
  const transport = recordingSmsTransport();
  await drainOutbox({ ids: pending.map((row) => row.id), smsTransport: transport });
  const newest = transport.sent.find((sms) => sms.id === pending[pending.length - 1]!.id);
  if (!newest) throw new Error(`the SMS to ${to} was not sent`);
  return { ...newest, code: codeInSms(newest.body) };
}
