import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as signOutRoute } from "@/app/api/auth/sign-out/route";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { adminDeleteUser } from "@/lib/admin";
import { revokeSession } from "@/lib/session";
import { enqueueSms, prepareSms } from "@/lib/sms";
import { updateProfile } from "@/lib/users";
import { signedUpUser } from "@/test/fixtures";
import { makeRequest } from "@/test/http";
import { emitWebhookEvent } from "./events";
import type { WebhookEventPayload } from "./events";
import type { WebhookEventType } from "./event-types";
import { createTestEndpoint } from "./testing/receiver";

// Events are written by the domain functions, in their transactions (this file also runs in the
// one-connection project: a `db` call inside one of those transactions would hang there).

const URL = "http://127.0.0.1:9/webhooks"; // never called: nothing is drained here

beforeAll(() => {
  process.env.OUTBOX_LOOP = "off";
  resetConfigCache();
});

beforeEach(async () => {
  await db.webhookEndpoint.deleteMany({});
  await db.outboxMessage.deleteMany({ where: { channel: "webhook" } });
});

async function events(endpointId: string, type?: WebhookEventType) {
  const rows = await db.outboxMessage.findMany({
    where: { channel: "webhook", to: endpointId, ...(type ? { template: type } : {}) },
    orderBy: { createdAt: "asc" },
  });
  for (const row of rows) expect(row.template).toBe((row.payload as WebhookEventPayload).type);
  return rows.map((row) => row.payload as WebhookEventPayload);
}

describe("webhook events from the domain", () => {
  it("with no endpoint, nothing is written and the data is never even built", async () => {
    await createTestEndpoint(URL, { disabled: true });
    const paused = await createTestEndpoint(URL);
    await db.webhookEndpoint.update({ where: { id: paused.id }, data: { pausedAt: new Date() } });
    const build = vi.fn(async () => ({ object: "user" }));
    expect(await db.$transaction((tx) => emitWebhookEvent(tx, "user.updated", build))).toBeNull();
    expect(build).not.toHaveBeenCalled();
    await signedUpUser();
    expect(await db.outboxMessage.count({ where: { channel: "webhook" } })).toBe(0);
  });

  it("a sign-up: user.created with the user resource, session.created, email.created for the code; in the change's transaction", async () => {
    const endpoint = await createTestEndpoint(URL);
    const { userId, email } = await signedUpUser();

    const [created] = await events(endpoint.id, "user.created");
    expect(created).toMatchObject({
      msgId: expect.stringMatching(/^msg_/),
      type: "user.created",
      timestamp: expect.any(Number),
      data: {
        object: "user",
        id: userId,
        email_addresses: [expect.objectContaining({ email_address: email, verification: { status: "verified" } })],
        password_enabled: true,
      },
    });
    expect(JSON.stringify(created!.data)).not.toMatch(/passwordHash|\$2[aby]\$/);

    const [session] = await events(endpoint.id, "session.created");
    expect(session!.data).toMatchObject({ object: "session", user_id: userId, status: "active", client_id: expect.any(String), actor: null });
    const [mail] = await events(endpoint.id, "email.created");
    expect(mail!.data).toMatchObject({
      object: "email",
      id: expect.stringMatching(/^out_/),
      to_email_address: email,
      subject: expect.any(String),
      body: expect.stringContaining("<"),
      status: "queued",
    });
    // The email event names the very outbox row that carries the mail.
    expect(await db.outboxMessage.findUnique({ where: { id: (mail!.data as { id: string }).id } })).toMatchObject({ channel: "email", to: email });
  });

  it("user.updated after a profile change, with the user as committed; user.deleted after a deletion", async () => {
    const { userId } = await signedUpUser();
    const endpoint = await createTestEndpoint(URL);
    await updateProfile(userId, { firstName: "Ada", lastName: "Lovelace" }, { actorId: userId, ip: null, userAgent: null });
    const [updated] = await events(endpoint.id, "user.updated");
    expect(updated!.data).toMatchObject({ id: userId, first_name: "Ada", last_name: "Lovelace" });

    // A change that is refused (rolled back) emits nothing.
    await expect(updateProfile(userId, { username: "x" }, { actorId: userId, ip: null, userAgent: null })).rejects.toMatchObject({ code: "validation_failed" });
    expect(await events(endpoint.id, "user.updated")).toHaveLength(1);

    await adminDeleteUser({ userId, confirmation: userId }, { actorId: "user_admin_test", ip: null, userAgent: null });
    const [deleted] = await events(endpoint.id, "user.deleted");
    expect(deleted!.data).toEqual({ id: userId, object: "user", deleted: true });
  });

  it("session.ended when a user signs out; session.revoked when a session is revoked", async () => {
    const first = await signedUpUser();
    const second = await signedUpUser();
    const endpoint = await createTestEndpoint(URL, { events: ["session.ended", "session.revoked"] });
    const sessionOf = async (userId: string) => (await db.session.findFirstOrThrow({ where: { userId, status: "active" } })).id;
    const firstSession = await sessionOf(first.userId);
    const secondSession = await sessionOf(second.userId);

    expect((await signOutRoute(makeRequest("/api/auth/sign-out", { body: {}, jar: first.jar }))).status).toBe(200);
    expect(await revokeSession(secondSession)).toBe(true);
    expect(await revokeSession(secondSession)).toBe(false); // already revoked: no second event

    expect((await events(endpoint.id, "session.ended")).map((event) => event.data)).toEqual([
      expect.objectContaining({ object: "session", id: firstSession, user_id: first.userId, status: "ended" }),
    ]);
    expect((await events(endpoint.id, "session.revoked")).map((event) => event.data)).toEqual([
      expect.objectContaining({ object: "session", id: secondSession, user_id: second.userId, status: "revoked" }),
    ]);
    // The filter: nothing else reached this endpoint.
    expect(await events(endpoint.id)).toHaveLength(2);
  });

  it("the filter: an endpoint gets only its event types, an empty filter gets all; one msgId per event across endpoints", async () => {
    const onlyCreated = await createTestEndpoint(URL, { events: ["user.created"] });
    const all = await createTestEndpoint(URL);
    const { userId } = await signedUpUser();
    const forCreated = await events(onlyCreated.id);
    expect(forCreated.map((event) => event.type)).toEqual(["user.created"]);
    const types = new Set((await events(all.id)).map((event) => event.type));
    expect(types).toEqual(new Set(["user.created", "session.created", "email.created"]));
    const [createdForAll] = await events(all.id, "user.created");
    expect(createdForAll!.msgId).toBe(forCreated[0]!.msgId);
    expect((createdForAll!.data as { id: string }).id).toBe(userId);
  });

  it("sms.created when a text is queued", async () => {
    const endpoint = await createTestEndpoint(URL, { events: ["sms.created"] });
    const sms = prepareSms("+447400555123", { template: "second_factor_code", code: "246810", expiresInMinutes: 10 });
    const id = await db.$transaction((tx) => enqueueSms(tx, sms));
    const [event] = await events(endpoint.id);
    expect(event!.data).toMatchObject({ object: "sms_message", id, to_phone_number: "+447400555123", message: expect.stringContaining("246810") });
  });
});
