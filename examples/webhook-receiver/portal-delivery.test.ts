import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newWebhookEvent, newWebhookSecret, postWebhook, webhookSigners } from "@/lib/webhooks";
import { createReceiverApp } from "./app.mjs";

/**
 * The portal's own request code (lib/webhooks postWebhook: body, svix headers,
 * signatures) against the example receiver: what the portal sends is what the
 * example accepts, including during a secret rotation and on a retry.
 */
const secret = newWebhookSecret();
const previousSecret = newWebhookSecret();
const received: { id: string; type: string; data: unknown }[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  const app = createReceiverApp({ secret, onEvent: (event, { id }) => void received.push({ id, type: event.type, data: event.data }) });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/portal`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe("the portal's webhook requests reach the example receiver", () => {
  it("are accepted, handled once per svix-id, and refused under a secret the receiver does not know", async () => {
    const event = newWebhookEvent("user.created", { object: "user", id: "user_delivery" });
    const first = await postWebhook(url, event, webhookSigners([secret]));
    expect(first).toMatchObject({ ok: true, statusCode: 200 });
    // A retry (same message id, new timestamp), signed with the new and the previous secret as during a rotation.
    const retry = await postWebhook(url, event, webhookSigners([secret, previousSecret]));
    expect(retry).toMatchObject({ ok: true, statusCode: 200 });
    expect(received).toEqual([{ id: event.msgId, type: "user.created", data: { object: "user", id: "user_delivery" } }]);

    const foreign = await postWebhook(url, newWebhookEvent("user.deleted", { id: "user_delivery" }), webhookSigners([previousSecret]));
    expect(foreign).toMatchObject({ ok: false, statusCode: 400 });
    expect(received).toHaveLength(1);
  });
});
