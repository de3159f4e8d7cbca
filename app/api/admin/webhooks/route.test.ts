import http from "node:http";
import type { AddressInfo } from "node:net";
import type { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "svix";
import { db } from "@/lib/db";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";
import { GET as listRoute, POST as createRoute } from "./route";
import { GET as getRoute, PATCH as patchRoute } from "./[id]/route";
import { POST as enableRoute } from "./[id]/enable/route";
import { POST as disableRoute } from "./[id]/disable/route";
import { POST as deleteRoute } from "./[id]/delete/route";
import { POST as revealRoute } from "./[id]/secret/route";
import { POST as rotateRoute } from "./[id]/secret/rotate/route";
import { POST as exampleRoute } from "./[id]/example/route";
import { GET as deliveriesRoute } from "./[id]/deliveries/route";
import { POST as replayRoute } from "./[id]/deliveries/[messageId]/replay/route";

/** S9: the admin webhook API: validation with field errors, step-up on secrets and deletion, and a real delivery. */
type Json = Record<string, unknown> & { errors?: { code: string; message: string; field?: string }[] };
type Params = Record<string, string>;
type Route = (request: NextRequest, context: { params: Promise<Params> }) => Promise<Response>;

/** A receiver on 127.0.0.1 that records what it gets (allowed outside production). */
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let receiver: http.Server;
let receiverUrl: string;

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});

afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

async function admin() {
  const user = await signedUpUser();
  await db.user.update({ where: { id: user.userId }, data: { role: "admin" } });
  return user;
}

async function call(route: Route, path: string, options: { jar: CookieJar; body?: unknown; method?: string; params?: Params }) {
  const response = await route(makeRequest(path, { jar: options.jar, body: options.body, method: options.method }), { params: Promise.resolve(options.params ?? {}) });
  return { status: response.status, json: (await response.json()) as Json };
}

const fieldsOf = (json: Json) => Object.fromEntries((json.errors ?? []).map((error) => [error.field ?? "_", error.message]));

async function created(jar: CookieJar, body: Record<string, unknown> = {}) {
  const result = await call(createRoute as Route, "/api/admin/webhooks", { jar, body: { url: receiverUrl, ...body } });
  expect(result.status, JSON.stringify(result.json)).toBe(201);
  return (result.json.endpoint as { id: string }).id;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("POST /api/admin/webhooks (create)", () => {
  it("201 with the endpoint (no secret); GET lists it", async () => {
    const { jar } = await admin();
    const result = await call(createRoute as Route, "/api/admin/webhooks", {
      jar,
      body: { url: receiverUrl, description: "CRM sync", events: ["user.created", "user.deleted"] },
    });
    expect(result.status).toBe(201);
    expect(result.json.endpoint).toMatchObject({ url: receiverUrl, description: "CRM sync", events: ["user.created", "user.deleted"], status: "active" });
    expect(JSON.stringify(result.json)).not.toMatch(/whsec_|secretEncrypted/);

    const list = await call(listRoute as Route, "/api/admin/webhooks", { jar });
    expect(list.status).toBe(200);
    const id = (result.json.endpoint as { id: string }).id;
    expect((list.json.endpoints as { id: string }[]).some((endpoint) => endpoint.id === id)).toBe(true);
    expect(JSON.stringify(list.json)).not.toMatch(/whsec_|secretEncrypted/);
  });

  it("400 with field errors for a missing or bad URL, unknown event types, a long description or an unknown field; nothing written", async () => {
    const { jar } = await admin();
    const before = await db.webhookEndpoint.count();
    const post = (body: unknown) => call(createRoute as Route, "/api/admin/webhooks", { jar, body });
    const cases: [unknown, Record<string, string | RegExp>][] = [
      [{}, { url: /URL must be text/ }],
      [{ url: "" }, { url: "URL is required." }],
      [{ url: "ftp://files.example.com/in" }, { url: /https:\/\/ or http:\/\// }],
      [{ url: "not a url" }, { url: /full URL/ }],
      [{ url: receiverUrl, events: ["user.created", "user.exploded"] }, { events: /Unknown event type/ }],
      [{ url: receiverUrl, events: "user.created" }, { events: /list of event types/ }],
      [{ url: receiverUrl, description: "x".repeat(501) }, { description: "Description is too long." }],
      [{ url: receiverUrl, secret: "whsec_mine" }, { secret: "Unknown field." }],
    ];
    for (const [body, expected] of cases) {
      const result = await post(body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      const fields = fieldsOf(result.json);
      for (const [field, message] of Object.entries(expected)) expect(fields[field], JSON.stringify(body)).toMatch(message);
    }
    expect(await db.webhookEndpoint.count()).toBe(before);
  });

  it("403 for a signed-in user who is not an admin, before reading the body", async () => {
    const { jar } = await signedUpUser();
    expect((await call(createRoute as Route, "/api/admin/webhooks", { jar, body: { url: 42 } })).status).toBe(403);
  });
});

describe("/api/admin/webhooks/:id", () => {
  it("GET one; 404 for an unknown or malformed id", async () => {
    const { jar } = await admin();
    const id = await created(jar);
    expect((await call(getRoute as Route, `/api/admin/webhooks/${id}`, { jar, params: { id } })).json.endpoint).toMatchObject({ id, status: "active" });
    for (const bad of ["whe_nobody", "../../etc", "user_123"]) {
      expect((await call(getRoute as Route, `/api/admin/webhooks/${bad}`, { jar, params: { id: bad } })).status).toBe(404);
    }
  });

  it("PATCH edits; bad fields are 400 with field errors; disable and enable", async () => {
    const { jar } = await admin();
    const id = await created(jar);
    const patch = (body: unknown) => call(patchRoute as Route, `/api/admin/webhooks/${id}`, { jar, body, method: "PATCH", params: { id } });
    const edited = await patch({ description: "Billing", events: ["session.revoked"] });
    expect(edited.status).toBe(200);
    expect(edited.json.endpoint).toMatchObject({ description: "Billing", events: ["session.revoked"] });
    expect(fieldsOf((await patch({ events: ["nope"] })).json)).toMatchObject({ events: expect.stringMatching(/Unknown event type/) });
    expect(fieldsOf((await patch({ url: "gopher://x.example.com" })).json)).toMatchObject({ url: expect.stringMatching(/https:\/\//) });
    expect(fieldsOf((await patch({ disabled: true })).json)).toMatchObject({ disabled: "Unknown field." });

    const off = await call(disableRoute as Route, `/api/admin/webhooks/${id}/disable`, { jar, body: {}, params: { id } });
    expect(off.json.endpoint).toMatchObject({ status: "disabled" });
    const example = await call(exampleRoute as Route, `/api/admin/webhooks/${id}/example`, { jar, body: { type: "user.created" }, params: { id } });
    expect(example.status).toBe(409);
    const on = await call(enableRoute as Route, `/api/admin/webhooks/${id}/enable`, { jar, body: {}, params: { id } });
    expect(on.json.endpoint).toMatchObject({ status: "active" });
  });

  it("reveal, rotate and delete need a recent verification (step-up): 403 reverification_required, nothing changed", async () => {
    const admin_ = await admin();
    const id = await created(admin_.jar);
    const before = await db.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    const sessionId = decodeJwtPayload(admin_.jar.values.get("__session")!).sid as string;
    await db.session.update({ where: { id: sessionId }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    for (const [route, path] of [
      [revealRoute, "secret"],
      [rotateRoute, "secret/rotate"],
      [deleteRoute, "delete"],
    ] as const) {
      const result = await call(route as Route, `/api/admin/webhooks/${id}/${path}`, { jar: admin_.jar, body: {}, params: { id } });
      expect(result.status, path).toBe(403);
      expect(result.json.errors?.[0]?.code).toBe("reverification_required");
    }
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id } })).toEqual(before);
  });

  it("delete removes it (then 404)", async () => {
    const { jar } = await admin();
    const id = await created(jar);
    const result = await call(deleteRoute as Route, `/api/admin/webhooks/${id}/delete`, { jar, body: {}, params: { id } });
    expect(result).toEqual({ status: 200, json: { status: "deleted", redirectUrl: "/admin/webhooks" } });
    expect((await call(getRoute as Route, `/api/admin/webhooks/${id}`, { jar, params: { id } })).status).toBe(404);
  });
});

describe("send example, delivery log, replay (with a receiver on 127.0.0.1)", () => {
  it("the receiver gets an example that svix verifies with the revealed secret; the log shows it sent; replay resends the same svix-id", async () => {
    const { jar } = await admin();
    const id = await created(jar, { events: ["session.created"] });
    const reveal = await call(revealRoute as Route, `/api/admin/webhooks/${id}/secret`, { jar, body: {}, params: { id } });
    expect(reveal.status).toBe(200);
    const secret = reveal.json.secret as string;
    expect(secret).toMatch(/^whsec_/);

    expect(fieldsOf((await call(exampleRoute as Route, `/api/admin/webhooks/${id}/example`, { jar, body: { type: "user.nope" }, params: { id } })).json)).toMatchObject({
      type: expect.stringMatching(/Choose an event type/),
    });
    // An example of a type outside the filter still goes to this endpoint.
    const example = await call(exampleRoute as Route, `/api/admin/webhooks/${id}/example`, { jar, body: { type: "user.created" }, params: { id } });
    expect(example.status).toBe(202);
    const messageId = example.json.messageId as string;

    const sent = await waitFor("the example to be delivered", async () => {
      const row = await db.outboxMessage.findUnique({ where: { id: messageId } });
      return row?.status === "sent" ? row : null;
    });
    const delivery = received.find((entry) => entry.body.includes('"user.created"') && entry.headers["svix-id"] === (sent.payload as { msgId: string }).msgId)!;
    expect(delivery).toBeDefined();
    // svix 2 verifies or throws (it returns nothing).
    expect(() =>
      new Webhook(secret).verify(delivery.body, {
        "svix-id": delivery.headers["svix-id"] as string,
        "svix-timestamp": delivery.headers["svix-timestamp"] as string,
        "svix-signature": delivery.headers["svix-signature"] as string,
      }),
    ).not.toThrow();
    expect(JSON.parse(delivery.body)).toMatchObject({ type: "user.created", object: "event", data: { object: "user" } });

    const log = await call(deliveriesRoute as Route, `/api/admin/webhooks/${id}/deliveries`, { jar, params: { id } });
    expect(log.status).toBe(200);
    const [first] = log.json.deliveries as { id: string; status: string; payload: unknown; attemptLog: { statusCode: number }[] }[];
    expect(first).toMatchObject({ id: messageId, status: "sent", payload: { type: "user.created", object: "event" }, attemptLog: [{ statusCode: 204 }] });

    const replay = await call(replayRoute as Route, `/api/admin/webhooks/${id}/deliveries/${messageId}/replay`, { jar, body: {}, params: { id, messageId } });
    expect(replay.status).toBe(202);
    const replayId = replay.json.messageId as string;
    await waitFor("the replay to be delivered", async () => (await db.outboxMessage.findUnique({ where: { id: replayId } }))?.status === "sent");
    const copies = received.filter((entry) => entry.headers["svix-id"] === delivery.headers["svix-id"]);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(copies.at(-1)!.body).toBe(delivery.body);
  });

  it("the log refuses a bad status or cursor (400), replay of another endpoint's message is 404", async () => {
    const { jar } = await admin();
    const id = await created(jar);
    const other = await created(jar);
    const bad = await call(deliveriesRoute as Route, `/api/admin/webhooks/${id}/deliveries?status=lost`, { jar, params: { id } });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.json)).toMatchObject({ status: expect.any(String) });
    const forged = await call(deliveriesRoute as Route, `/api/admin/webhooks/${id}/deliveries?cursor=abc`, { jar, params: { id } });
    expect(forged.status).toBe(400);
    expect(fieldsOf(forged.json)).toMatchObject({ cursor: expect.any(String) });

    const example = await call(exampleRoute as Route, `/api/admin/webhooks/${other}/example`, { jar, body: { type: "user.deleted" }, params: { id: other } });
    const messageId = example.json.messageId as string;
    const replay = await call(replayRoute as Route, `/api/admin/webhooks/${id}/deliveries/${messageId}/replay`, { jar, body: {}, params: { id, messageId } });
    expect(replay.status).toBe(404);
  });
});
