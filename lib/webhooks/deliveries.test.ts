import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { findWebhookDelivery, listWebhookDeliveries, replayWebhookDelivery } from "./deliveries";
import { createWebhookEndpoint } from "./endpoints";

const actor = { actorId: "user_admin", ip: null, userAgent: null };

async function deliveryAt(endpointId: string, createdAt: Date, status: "pending" | "sent" | "failed" = "sent") {
  const msgId = newId("webhookMessage");
  return db.outboxMessage.create({
    data: {
      id: newId("outbox"),
      channel: "webhook",
      to: endpointId,
      template: "user.updated",
      payload: { msgId, type: "user.updated", data: { object: "user", id: "user_1" }, timestamp: createdAt.toISOString() },
      status,
      attempts: status === "pending" ? 1 : 2,
      nextAttemptAt: new Date(createdAt.getTime() + 5000),
      sentAt: status === "sent" ? createdAt : null,
      lastError: status === "failed" ? "HTTP 500" : null,
      createdAt,
    },
  });
}

describe("listWebhookDeliveries (S9 delivery log)", () => {
  it("newest first, with payload and attempts (newest first); keyset pages cover every row once, even with equal times", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://log.example.com/hook" }, actor);
    const other = await createWebhookEndpoint({ url: "https://other.example.com/hook" }, actor);
    const base = Date.now() - 3_600_000;
    const rows = [];
    for (let index = 0; index < 7; index++) rows.push(await deliveryAt(endpoint.id, new Date(base + Math.floor(index / 2) * 1000)));
    await deliveryAt(other.id, new Date(base + 10_000));
    // Emails share the outbox: never in a webhook log.
    await db.outboxMessage.create({ data: { id: newId("outbox"), channel: "email", to: endpoint.id, template: "x", payload: {} } });
    const newest = rows[6]!;
    await db.webhookAttempt.createMany({
      data: [
        { id: newId("webhookAttempt"), messageId: newest.id, endpointId: endpoint.id, attempt: 1, statusCode: 500, latencyMs: 12, responseExcerpt: "oops", createdAt: new Date(base) },
        { id: newId("webhookAttempt"), messageId: newest.id, endpointId: endpoint.id, attempt: 2, statusCode: 204, latencyMs: 8, createdAt: new Date(base + 5000) },
      ],
    });

    const first = await listWebhookDeliveries(endpoint.id, { limit: 3 });
    expect(first.deliveries).toHaveLength(3);
    expect(first.deliveries[0]).toMatchObject({
      id: newest.id,
      msgId: (newest.payload as { msgId: string }).msgId,
      eventType: "user.updated",
      status: "sent",
      attempts: 2,
      nextAttemptAt: null,
      payload: { type: "user.updated", object: "event", data: { object: "user", id: "user_1" } },
      attemptLog: [
        { attempt: 2, statusCode: 204, latencyMs: 8, responseExcerpt: null },
        { attempt: 1, statusCode: 500, latencyMs: 12, responseExcerpt: "oops" },
      ],
    });
    const seen = [...first.deliveries];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await listWebhookDeliveries(endpoint.id, { limit: 3, cursor });
      seen.push(...page.deliveries);
      cursor = page.nextCursor;
    }
    expect(seen.map((row) => row.id)).toEqual(
      [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((row) => row.id),
    );
  });

  it("filters by status; a pending delivery says when it is next tried", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://status.example.com/hook" }, actor);
    const at = new Date(Date.now() - 60_000);
    await deliveryAt(endpoint.id, at, "sent");
    const pending = await deliveryAt(endpoint.id, new Date(at.getTime() + 1), "pending");
    const failed = await deliveryAt(endpoint.id, new Date(at.getTime() + 2), "failed");
    expect((await listWebhookDeliveries(endpoint.id, { status: "failed" })).deliveries.map((row) => [row.id, row.lastError])).toEqual([[failed.id, "HTTP 500"]]);
    const [only] = (await listWebhookDeliveries(endpoint.id, { status: "pending" })).deliveries;
    expect(only).toMatchObject({ id: pending.id, nextAttemptAt: new Date(at.getTime() + 5001).toISOString() });
  });

  it("refuses a forged cursor (400 field error) and an unknown endpoint (404)", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://cursor.example.com/hook" }, actor);
    await expect(listWebhookDeliveries(endpoint.id, { cursor: "bm90IGpzb24" })).rejects.toMatchObject({ code: "validation_failed", fields: { cursor: expect.any(Array) } });
    await expect(listWebhookDeliveries("whe_nobody")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("findWebhookDelivery", () => {
  it("finds a delivery only under its own endpoint", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://mine.example.com/hook" }, actor);
    const other = await createWebhookEndpoint({ url: "https://theirs.example.com/hook" }, actor);
    const row = await deliveryAt(endpoint.id, new Date());
    expect(await findWebhookDelivery(endpoint.id, row.id)).toMatchObject({ id: row.id, attemptLog: [] });
    expect(await findWebhookDelivery(other.id, row.id)).toBeNull();
    expect(await findWebhookDelivery(endpoint.id, "out_nobody")).toBeNull();
  });
});

describe("replayWebhookDelivery", () => {
  it("queues the message again for its own endpoint with the same svix-id and payload; another endpoint's message is not_found", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://replay.example.com/hook" }, actor);
    const other = await createWebhookEndpoint({ url: "https://elsewhere.example.com/hook" }, actor);
    const original = await deliveryAt(endpoint.id, new Date(Date.now() - 60_000), "failed");
    const { messageId } = await replayWebhookDelivery(endpoint.id, original.id);
    expect(messageId).not.toBe(original.id);
    const replayed = await findWebhookDelivery(endpoint.id, messageId);
    expect(replayed).toMatchObject({ msgId: (original.payload as { msgId: string }).msgId, eventType: "user.updated" });
    expect(replayed!.payload).toEqual((await findWebhookDelivery(endpoint.id, original.id))!.payload);

    await expect(replayWebhookDelivery(other.id, original.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(replayWebhookDelivery(endpoint.id, "out_nobody")).rejects.toMatchObject({ code: "not_found" });
  });
});
