import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { kickBackgroundWork } from "@/lib/background/kick";
import { isWebhookEventType, type WebhookEventType } from "./event-types";
import { newWebhookEvent, webhookRow, type WebhookEventPayload } from "./events";

/**
 * "Send example" and "Replay" from the admin console (S9): one row to one
 * endpoint, drained at once (after the response).
 */

const EXAMPLE_TIME = Date.UTC(2026, 0, 15, 9, 30);
const EXAMPLE_USER_ID = "user_2x5Lq7ExampleUser0000000001";

const exampleUser = () => ({
  object: "user",
  id: EXAMPLE_USER_ID,
  role: "user",
  first_name: "Ada",
  last_name: "Lovelace",
  username: "ada",
  image_url: null,
  has_image: false,
  primary_email_address_id: "idn_2x5Lq7ExampleEmail000000001",
  primary_phone_number_id: null,
  email_addresses: [
    {
      object: "email_address",
      id: "idn_2x5Lq7ExampleEmail000000001",
      email_address: "ada@example.com",
      verification: { status: "verified" },
    },
  ],
  phone_numbers: [],
  external_accounts: [],
  password_enabled: true,
  two_factor_enabled: false,
  totp_enabled: false,
  backup_code_enabled: false,
  banned: false,
  locked: false,
  public_metadata: { plan: "pro" },
  private_metadata: {},
  unsafe_metadata: {},
  last_sign_in_at: EXAMPLE_TIME,
  last_active_at: EXAMPLE_TIME,
  created_at: EXAMPLE_TIME - 86_400_000,
  updated_at: EXAMPLE_TIME,
});

const exampleSession = (status: string) => ({
  object: "session",
  id: "sess_2x5Lq7ExampleSession00000001",
  user_id: EXAMPLE_USER_ID,
  client_id: "client_2x5Lq7ExampleClient000001",
  status,
  created_at: EXAMPLE_TIME,
  updated_at: EXAMPLE_TIME,
  last_active_at: EXAMPLE_TIME,
  expire_at: EXAMPLE_TIME + 7 * 86_400_000,
  actor: null,
});

/** Realistic data of each event type, shaped as the real events are (lib/webhooks/events.ts). */
export function exampleEventData(type: WebhookEventType): unknown {
  switch (type) {
    case "user.created":
    case "user.updated":
      return exampleUser();
    case "user.deleted":
      return { object: "user", id: EXAMPLE_USER_ID, deleted: true };
    case "session.created":
      return exampleSession("active");
    case "session.ended":
      return exampleSession("ended");
    case "session.revoked":
      return exampleSession("revoked");
    case "email.created":
      return {
        object: "email",
        id: "out_2x5Lq7ExampleEmail0000000001",
        slug: "sign_in_code",
        to_email_address: "ada@example.com",
        subject: "123456 is your sign-in code",
        body: "<p>Your sign-in code is <strong>123456</strong>. It expires in 10 minutes.</p>",
        body_plain: "Your sign-in code is 123456. It expires in 10 minutes.",
        status: "queued",
      };
    case "sms.created":
      return {
        object: "sms_message",
        id: "out_2x5Lq7ExampleSms000000000001",
        slug: "second_factor_code",
        to_phone_number: "+15555550100",
        message: "123456 is your sign-in code. It expires in 10 minutes. Don't share it.",
        status: "queued",
      };
  }
}

async function deliverableEndpoint(endpointId: string): Promise<void> {
  const endpoint = await db.webhookEndpoint.findUnique({ where: { id: endpointId }, select: { disabled: true, pausedAt: true } });
  if (!endpoint) throw new AppError("not_found", "No such webhook endpoint.");
  if (endpoint.disabled) throw new AppError("conflict", "This endpoint is disabled. Enable it to send to it.");
  if (endpoint.pausedAt) throw new AppError("conflict", "This endpoint is paused after failing for days. Enable it to send to it.");
}

/** Queues one example event of `type` to that endpoint only (its filter aside); returns the new queue row's id. */
export async function sendExampleEvent(endpointId: string, type: string, now = new Date()): Promise<string> {
  if (!isWebhookEventType(type)) {
    throw new AppError("validation_failed", "Choose an event type.", { fields: { type: ["Choose an event type."] } });
  }
  await deliverableEndpoint(endpointId);
  const row = webhookRow(endpointId, newWebhookEvent(type, exampleEventData(type), now), now);
  await db.outboxMessage.create({ data: row });
  kickBackgroundWork();
  return row.id;
}

/**
 * Queues a delivered or failed message again to the same endpoint: a fresh
 * row with the SAME message id (svix-id) and payload, so a receiver that got
 * it before recognises it. Returns the new row's id.
 */
export async function replayWebhookMessage(outboxMessageId: string, now = new Date()): Promise<string> {
  const message = await db.outboxMessage.findUnique({ where: { id: outboxMessageId } });
  if (!message || message.channel !== "webhook") throw new AppError("not_found", "No such webhook message.");
  await deliverableEndpoint(message.to);
  const row = webhookRow(message.to, message.payload as WebhookEventPayload, now);
  await db.outboxMessage.create({ data: row });
  kickBackgroundWork();
  return row.id;
}
