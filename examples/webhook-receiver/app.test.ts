import crypto from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "svix";
import { createReceiverApp } from "./app.mjs";

/**
 * The webhook receiver example over real HTTP. Deliveries are signed with the
 * svix package's own signer, as the portal signs them; the receiver verifies
 * with svix's verifier.
 */
const SECRET = `whsec_${crypto.randomBytes(24).toString("base64")}`;
const OTHER_SECRET = `whsec_${crypto.randomBytes(24).toString("base64")}`;

type Handled = { type: string; data: Record<string, unknown>; id: string };
let handled: Handled[] = [];
let failNext = false;
let slowMs = 0;
let server: Server;
let url: string;

beforeAll(async () => {
  const app = createReceiverApp({
    secret: SECRET,
    onEvent: async (event, { id }) => {
      if (slowMs) await new Promise((resolve) => setTimeout(resolve, slowMs));
      if (failNext) {
        failNext = false;
        throw new Error("database down");
      }
      handled.push({ type: event.type, data: event.data, id });
    },
  });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/portal`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  handled = [];
  failNext = false;
  slowMs = 0;
});

let counter = 0;
function event(type = "user.created") {
  counter += 1;
  const msgId = `msg_${crypto.randomBytes(8).toString("hex")}`;
  const body = JSON.stringify({ type, object: "event", data: { object: "user", id: `user_${counter}` }, timestamp: Date.now() });
  return { msgId, body };
}

/** POSTs `body` as the portal does: svix-id, svix-timestamp (seconds) and svix-signature from svix's signer. */
function deliver(
  msgId: string,
  body: string,
  options: { at?: Date; secret?: string; sendBody?: string; signature?: (signed: string) => string } = {},
) {
  const at = options.at ?? new Date();
  const signed = new Webhook(options.secret ?? SECRET).sign(msgId, at, body);
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "svix-id": msgId,
      "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
      "svix-signature": options.signature ? options.signature(signed) : signed,
    },
    body: options.sendBody ?? body,
  });
}

describe("examples/webhook-receiver", () => {
  it("accepts a signed delivery and hands the parsed event to the handler", async () => {
    const { msgId, body } = event("user.created");
    const response = await deliver(msgId, body);
    expect(response.status).toBe(200);
    expect(handled).toEqual([{ type: "user.created", data: JSON.parse(body).data, id: msgId }]);
  });

  it("handles a redelivery of the same svix-id once (retry or replay: fresh timestamp and signature)", async () => {
    const { msgId, body } = event();
    expect((await deliver(msgId, body)).status).toBe(200);
    expect((await deliver(msgId, body, { at: new Date(Date.now() + 2_000) })).status).toBe(200);
    expect(handled).toHaveLength(1);
  });

  it("handles two copies of one message arriving at the same time once", async () => {
    slowMs = 200;
    const { msgId, body } = event();
    const responses = await Promise.all([deliver(msgId, body), deliver(msgId, body)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    expect(handled).toHaveLength(1);
  });

  it("refuses a tampered body", async () => {
    const { msgId, body } = event();
    const tampered = body.replace('"user.created"', '"user.deleted"');
    const response = await deliver(msgId, body, { sendBody: tampered });
    expect(response.status).toBe(400);
    expect(handled).toEqual([]);
  });

  it("refuses an old timestamp (a captured delivery replayed later) and one from the future", async () => {
    for (const at of [new Date(Date.now() - 10 * 60_000), new Date(Date.now() + 10 * 60_000)]) {
      const { msgId, body } = event();
      const response = await deliver(msgId, body, { at });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(/timestamp too (old|new)/);
    }
    expect(handled).toEqual([]);
  });

  it("refuses a delivery signed with another secret, and one without signature headers", async () => {
    const { msgId, body } = event();
    expect((await deliver(msgId, body, { secret: OTHER_SECRET })).status).toBe(400);
    const unsigned = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(unsigned.status).toBe(400);
    expect(handled).toEqual([]);
  });

  it("accepts a delivery signed with the old and the new secret during a secret rotation", async () => {
    const { msgId, body } = event();
    const at = new Date();
    const withOld = new Webhook(OTHER_SECRET).sign(msgId, at, body);
    const response = await deliver(msgId, body, { at, signature: (withNew) => `${withOld} ${withNew}` });
    expect(response.status).toBe(200);
    expect(handled).toHaveLength(1);
  });

  it("answers 500 when the handler fails and handles the retry", async () => {
    failNext = true;
    const { msgId, body } = event();
    expect((await deliver(msgId, body)).status).toBe(500);
    expect(handled).toEqual([]);
    expect((await deliver(msgId, body)).status).toBe(200);
    expect(handled.map((entry) => entry.id)).toEqual([msgId]);
  });
});
