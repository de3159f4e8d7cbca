import { describe, expect, it } from "vitest";
import { Webhook } from "svix";
import { decryptSecret } from "@/lib/crypto";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  disableWebhookEndpoint,
  enableWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  PREVIOUS_SECRET_GRACE_MS,
  revealWebhookSecret,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookActor,
} from "./endpoints";

const actor: WebhookActor = { actorId: "user_admin", ip: "192.0.2.7", userAgent: "vitest" };

const auditOf = (type: string, targetId: string) => db.auditEvent.findMany({ where: { type, targetId }, orderBy: { createdAt: "asc" } });

async function rejection(run: Promise<unknown>): Promise<{ code: string; fields?: Record<string, string[]> }> {
  try {
    await run;
  } catch (error) {
    return error as { code: string; fields?: Record<string, string[]> };
  }
  throw new Error("expected a refusal");
}

async function queued(endpointId: string, options: { status?: "pending" | "sending" | "sent" | "failed"; createdAt?: Date; type?: string } = {}) {
  return db.outboxMessage.create({
    data: {
      id: newId("outbox"),
      channel: "webhook",
      to: endpointId,
      template: options.type ?? "user.created",
      payload: { msgId: newId("webhookMessage"), type: options.type ?? "user.created", data: { id: "user_1" }, timestamp: new Date().toISOString() },
      status: options.status ?? "sent",
      createdAt: options.createdAt,
    },
  });
}

describe("createWebhookEndpoint (S9)", () => {
  it("stores the URL, description and filter (known types, each once, in catalogue order) and an encrypted whsec_ secret; audited", async () => {
    const endpoint = await createWebhookEndpoint(
      { url: "http://127.0.0.1:9/hooks?token=abc", description: "  Billing  ", events: ["session.created", "user.created", "user.created"] },
      actor,
    );
    expect(endpoint).toMatchObject({
      url: "http://127.0.0.1:9/hooks?token=abc",
      description: "Billing",
      events: ["user.created", "session.created"],
      status: "active",
      lastDelivery: null,
      previousSecretExpiresAt: null,
    });
    expect(endpoint.id).toMatch(/^whe_/);

    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.secretEncrypted).not.toContain("whsec_");
    const { secret } = await revealWebhookSecret(endpoint.id);
    expect(decryptSecret(row.secretEncrypted, "webhook-secret")).toBe(secret);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice("whsec_".length), "base64")).toHaveLength(24);
    // The format the official library reads: it signs and verifies with it.
    const signer = new Webhook(secret);
    const at = new Date();
    const signature = signer.sign("msg_1", at, "{}");
    expect(() => signer.verify("{}", { "svix-id": "msg_1", "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": signature })).not.toThrow();

    const [event] = await auditOf("webhook.endpoint_created", endpoint.id);
    // No query string in the append-only log: receivers put tokens there.
    expect(event).toMatchObject({ actorId: "user_admin", ip: "192.0.2.7", data: { url: "http://127.0.0.1:9/hooks", events: ["user.created", "session.created"] } });
  });

  it("two endpoints get different secrets; an empty filter means every event", async () => {
    const a = await createWebhookEndpoint({ url: "https://a.example.com/hook" }, actor);
    const b = await createWebhookEndpoint({ url: "https://b.example.com/hook", events: [] }, actor);
    expect(a.events).toEqual([]);
    expect((await revealWebhookSecret(a.id)).secret).not.toBe((await revealWebhookSecret(b.id)).secret);
  });

  it("refuses an unknown event type, a bad URL or a long description with field errors, and writes nothing", async () => {
    const before = await db.webhookEndpoint.count();
    expect(await rejection(createWebhookEndpoint({ url: "https://a.example.com", events: ["user.created", "user.exploded"] }, actor))).toMatchObject({
      code: "validation_failed",
      fields: { events: [expect.stringContaining("user.exploded")] },
    });
    expect(await rejection(createWebhookEndpoint({ url: "ftp://a.example.com" }, actor))).toMatchObject({ fields: { url: [expect.any(String)] } });
    expect(await rejection(createWebhookEndpoint({ url: "https://a.example.com", description: "x".repeat(501) }, actor))).toMatchObject({
      fields: { description: [expect.stringContaining("500")] },
    });
    expect(await db.webhookEndpoint.count()).toBe(before);
    expect(await db.auditEvent.count({ where: { type: "webhook.endpoint_created", data: { path: ["url"], equals: "ftp://a.example.com/" } } })).toBe(0);
  });
});

describe("listWebhookEndpoints / getWebhookEndpoint", () => {
  it("lists oldest first with status and the last delivery (newest message, its latest attempt)", async () => {
    const quiet = await createWebhookEndpoint({ url: "https://quiet.example.com/" }, actor);
    const busy = await createWebhookEndpoint({ url: "https://busy.example.com/" }, actor);
    await queued(busy.id, { status: "sent", createdAt: new Date(Date.now() - 60_000) });
    const newest = await queued(busy.id, { status: "pending", type: "session.ended" });
    await db.webhookAttempt.createMany({
      data: [
        { id: newId("webhookAttempt"), messageId: newest.id, endpointId: busy.id, attempt: 1, statusCode: null, latencyMs: 3, createdAt: new Date(Date.now() - 2000) },
        { id: newId("webhookAttempt"), messageId: newest.id, endpointId: busy.id, attempt: 2, statusCode: 503, latencyMs: 40 },
      ],
    });
    await db.webhookEndpoint.update({ where: { id: busy.id }, data: { pausedAt: new Date() } });

    const list = await listWebhookEndpoints();
    const ids = list.map((endpoint) => endpoint.id);
    expect(ids.indexOf(quiet.id)).toBeLessThan(ids.indexOf(busy.id));
    expect(list.find((endpoint) => endpoint.id === quiet.id)).toMatchObject({ status: "active", lastDelivery: null });
    expect(list.find((endpoint) => endpoint.id === busy.id)).toMatchObject({
      status: "paused",
      lastDelivery: { messageId: newest.id, eventType: "session.ended", status: "pending", statusCode: 503 },
    });
    expect(list[0]).not.toHaveProperty("previousSecretExpiresAt");
    expect(JSON.stringify(list)).not.toContain("whsec_");
    expect(await getWebhookEndpoint(busy.id)).toMatchObject({ id: busy.id, status: "paused", lastDelivery: { statusCode: 503 } });
  });

  it("not_found for an id that is not an endpoint", async () => {
    expect(await rejection(getWebhookEndpoint("whe_nobody"))).toMatchObject({ code: "not_found" });
    expect(await rejection(revealWebhookSecret("whe_nobody"))).toMatchObject({ code: "not_found" });
  });
});

describe("updateWebhookEndpoint / enable / disable", () => {
  it("writes and audits only what changed; a patch that changes nothing writes nothing", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://old.example.com/hook", description: "Old" }, actor);
    const updated = await updateWebhookEndpoint(
      endpoint.id,
      { url: "https://new.example.com/hook", description: "Old", events: ["user.deleted", "user.created"] },
      actor,
    );
    expect(updated).toMatchObject({ url: "https://new.example.com/hook", description: "Old", events: ["user.created", "user.deleted"] });
    const [event] = await auditOf("webhook.endpoint_updated", endpoint.id);
    expect(event!.data).toEqual({ fields: ["url", "events"], url: "https://new.example.com/hook", events: ["user.created", "user.deleted"] });

    await updateWebhookEndpoint(endpoint.id, { url: "https://new.example.com/hook", events: ["user.created", "user.deleted"], disabled: false }, actor);
    expect(await auditOf("webhook.endpoint_updated", endpoint.id)).toHaveLength(1);

    await updateWebhookEndpoint(endpoint.id, { description: "" }, actor);
    expect((await getWebhookEndpoint(endpoint.id)).description).toBeNull();
  });

  it("refuses a bad URL or event on update with field errors and keeps the endpoint as it was", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://keep.example.com/hook" }, actor);
    expect(await rejection(updateWebhookEndpoint(endpoint.id, { url: "not a url" }, actor))).toMatchObject({ fields: { url: [expect.any(String)] } });
    expect(await rejection(updateWebhookEndpoint(endpoint.id, { events: ["nope"] }, actor))).toMatchObject({ fields: { events: [expect.any(String)] } });
    expect((await getWebhookEndpoint(endpoint.id)).url).toBe("https://keep.example.com/hook");
    expect(await rejection(updateWebhookEndpoint("whe_nobody", { description: "x" }, actor))).toMatchObject({ code: "not_found" });
  });

  it("disable turns it off; enable turns it on and lifts a pause by the circuit, clearing failingSince", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://flaky.example.com/hook" }, actor);
    expect(await disableWebhookEndpoint(endpoint.id, actor)).toMatchObject({ status: "disabled", disabled: true });
    expect(await enableWebhookEndpoint(endpoint.id, actor)).toMatchObject({ status: "active", disabled: false });

    const failingSince = new Date(Date.now() - 6 * 86_400_000);
    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { pausedAt: new Date(), failingSince } });
    expect(await getWebhookEndpoint(endpoint.id)).toMatchObject({ status: "paused", failingSince: failingSince.toISOString() });
    expect(await enableWebhookEndpoint(endpoint.id, actor)).toMatchObject({ status: "active", pausedAt: null, failingSince: null });
    const events = await auditOf("webhook.endpoint_updated", endpoint.id);
    expect(events.map((event) => event.data)).toEqual([
      { fields: ["disabled"], disabled: true },
      { fields: ["disabled"], disabled: false },
      { fields: ["pausedAt"] },
    ]);
  });
});

describe("rotateWebhookSecret", () => {
  it("makes a new secret; the old one is kept as previous for 24 hours (the signer signs with both meanwhile); audited", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://rotate.example.com/hook" }, actor);
    const { secret: old } = await revealWebhookSecret(endpoint.id);
    const now = new Date("2026-12-01T10:00:00Z");
    const rotated = await rotateWebhookSecret(endpoint.id, { ...actor, now });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(old);
    expect(rotated.previousSecretExpiresAt).toBe(new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS).toISOString());
    expect((await revealWebhookSecret(endpoint.id)).secret).toBe(rotated.secret);

    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(decryptSecret(row.previousSecretEncrypted!, "webhook-secret")).toBe(old);
    expect(row.previousSecretExpiresAt!.toISOString()).toBe("2026-12-02T10:00:00.000Z");
    expect((await getWebhookEndpoint(endpoint.id)).previousSecretExpiresAt).toBe("2026-12-02T10:00:00.000Z");
    const [event] = await auditOf("webhook.secret_rotated", endpoint.id);
    expect(event!.data).toEqual({ previousSecretExpiresAt: "2026-12-02T10:00:00.000Z" });
    expect(JSON.stringify(event)).not.toContain("whsec_");

    // Rotating again: the secret just replaced becomes the previous one.
    const again = await rotateWebhookSecret(endpoint.id, actor);
    const after = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(decryptSecret(after.previousSecretEncrypted!, "webhook-secret")).toBe(rotated.secret);
    expect(decryptSecret(after.secretEncrypted, "webhook-secret")).toBe(again.secret);
    expect(await rejection(rotateWebhookSecret("whe_nobody", actor))).toMatchObject({ code: "not_found" });
  });
});

describe("deleteWebhookEndpoint", () => {
  it("removes the endpoint, its attempts and its deliveries except one being sent right now; audited", async () => {
    const endpoint = await createWebhookEndpoint({ url: "https://gone.example.com/hook?key=s3cret" }, actor);
    const other = await createWebhookEndpoint({ url: "https://stays.example.com/hook" }, actor);
    const sent = await queued(endpoint.id, { status: "sent" });
    await queued(endpoint.id, { status: "pending" });
    const inFlight = await queued(endpoint.id, { status: "sending" });
    const kept = await queued(other.id, { status: "sent" });
    await db.webhookAttempt.create({ data: { id: newId("webhookAttempt"), messageId: sent.id, endpointId: endpoint.id, attempt: 1, statusCode: 200, latencyMs: 5 } });

    await deleteWebhookEndpoint(endpoint.id, actor);
    expect(await db.webhookEndpoint.count({ where: { id: endpoint.id } })).toBe(0);
    expect(await db.webhookAttempt.count({ where: { endpointId: endpoint.id } })).toBe(0);
    expect((await db.outboxMessage.findMany({ where: { to: endpoint.id } })).map((row) => row.id)).toEqual([inFlight.id]);
    expect(await db.outboxMessage.count({ where: { id: kept.id } })).toBe(1);
    const [event] = await auditOf("webhook.endpoint_deleted", endpoint.id);
    expect(event!.data).toEqual({ url: "https://gone.example.com/hook" });

    expect(await rejection(deleteWebhookEndpoint(endpoint.id, actor))).toMatchObject({ code: "not_found" });
    expect(await auditOf("webhook.endpoint_deleted", endpoint.id)).toHaveLength(1);
  });
});
