import { describe, expect, it, onTestFinished } from "vitest";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { createApiKey, revokeApiKey } from "@/lib/api-keys";
import { V1 } from "@/lib/api";
import { createMemoryStore, setRateLimitStore } from "@/lib/ratelimit";
import { signedUpUser } from "@/test/fixtures";
import { ORIGIN, STRONG_PASSWORD, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import * as users from "./users/route";
import * as user from "./users/[user_id]/route";
import * as metadata from "./users/[user_id]/metadata/route";
import * as ban from "./users/[user_id]/ban/route";
import * as unban from "./users/[user_id]/unban/route";
import * as sessions from "./sessions/route";
import * as revokeSession from "./sessions/[session_id]/revoke/route";
import * as templateToken from "./sessions/[session_id]/tokens/[template_name]/route";
import * as verifyToken from "./tokens/verify/route";

type Handler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
type ErrorBody = { errors: { code: string; message: string; longMessage: string; meta?: { paramName?: string } }[] };

async function newKey(name = "test backend") {
  const admin = await db.user.create({ data: { id: newId("user"), role: "admin" } });
  const { apiKey, secret } = await createApiKey({ name }, { actorId: admin.id, ip: null, userAgent: null });
  return { id: apiKey.id, secret, adminId: admin.id };
}

/** A server's request: a secret key, no cookies, no Origin. */
async function call(
  run: Handler,
  path: string,
  options: { key?: string | null; method?: string; body?: unknown; rawBody?: string; params?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { origin: "", ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const request = makeRequest(path, { method: options.method, body: options.body, rawBody: options.rawBody, headers });
  const response = await run(request, { params: Promise.resolve(options.params ?? {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

function firstError(body: unknown) {
  return (body as ErrorBody).errors[0]!;
}

/** The response matches the schema the OpenAPI document publishes for it, with no extra top-level fields. */
function conforms(schema: z.ZodType, body: unknown) {
  const strict = (schema as unknown as { strict?: () => z.ZodType }).strict?.() ?? schema;
  const result = strict.safeParse(body);
  expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
}

describe("/api/v1: secret keys (S9)", () => {
  it("answers 401 in Clerk's error shape without a key, with a malformed, unknown or revoked key, and with a session JWT", async () => {
    const key = await newKey();
    const browser = await signedUpUser();
    const sessionJwt = browser.jar.values.get("__session")!;
    const cases: [string, string | null][] = [
      ["no key", null],
      ["malformed", "sk_live_nope"],
      ["unknown", `sk_live_${"Z".repeat(43)}`],
      ["session JWT", sessionJwt],
    ];
    for (const [label, secret] of cases) {
      const response = await call(users.GET, "/api/v1/users", { key: secret });
      expect(response.status, label).toBe(401);
      expect(firstError(response.body), label).toMatchObject({ code: "authentication_invalid", message: expect.any(String), longMessage: expect.any(String) });
      expect(response.headers.get("www-authenticate"), label).toMatch(/^Bearer/);
    }
    expect((await call(users.GET, "/api/v1/users", { key: key.secret })).status).toBe(200);
    await revokeApiKey(key.id, { actorId: key.adminId, ip: null, userAgent: null });
    const revoked = await call(users.GET, "/api/v1/users", { key: key.secret });
    expect(revoked.status).toBe(401);
    expect(firstError(revoked.body).code).toBe("authentication_invalid");
  });

  it("checks the key before anything else: a bad body without a key is 401, not 400", async () => {
    const response = await call(users.POST, "/api/v1/users", { body: { nonsense: true } });
    expect(response.status).toBe(401);
  });

  it("records when a key was last used", async () => {
    const key = await newKey();
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toBeNull();
    await call(users.GET, "/api/v1/users", { key: key.secret });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toBeInstanceOf(Date);
  });

  it("rate-limits per key: the 101st request in 10 s is 429 with Retry-After; another key is unaffected", async () => {
    const key = await newKey("busy");
    const other = await newKey("quiet");
    // A clock that stands still inside one window: the sliding window must not roll over mid-test.
    const windowStart = Math.floor(Date.now() / 10_000) * 10_000;
    setRateLimitStore(createMemoryStore({ now: () => windowStart + 1 }));
    onTestFinished(() => setRateLimitStore(undefined));
    for (let index = 0; index < 100; index++) {
      const response = await call(user.GET, "/api/v1/users/user_none", { key: key.secret, params: { user_id: "user_none" } });
      expect(response.status).toBe(404);
    }
    const limited = await call(user.GET, "/api/v1/users/user_none", { key: key.secret, params: { user_id: "user_none" } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(firstError(limited.body).code).toBe("too_many_requests");
    expect((await call(users.GET, "/api/v1/users", { key: other.secret })).status).toBe(200);
  });
});

describe("/api/v1: request validation", () => {
  it("names the parameter: missing, malformed, unknown; bad JSON; wrong media type", async () => {
    const { secret } = await newKey();
    const missing = await call(users.POST, "/api/v1/users", { key: secret, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toContainEqual(expect.objectContaining({ code: "form_param_missing", meta: { paramName: "email_address" } }));

    const malformed = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: "not-an-email", first_name: 7 } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors.map((error: { meta: { paramName: string } }) => error.meta.paramName).sort()).toEqual(["email_address", "first_name"]);
    expect(firstError(malformed.body).code).toBe("form_param_format_invalid");

    const unknown = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: uniqueEmail(), role: "admin" } });
    expect(unknown.status).toBe(400);
    expect(firstError(unknown.body)).toMatchObject({ code: "form_param_unknown", meta: { paramName: "role" } });

    const badJson = await call(users.POST, "/api/v1/users", { key: secret, rawBody: "{nope" });
    expect(badJson.status).toBe(400);
    expect(firstError(badJson.body).code).toBe("malformed_request_body");

    const notJson = await call(users.POST, "/api/v1/users", { key: secret, rawBody: "a=b", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(notJson.status).toBe(415);

    const badQuery = await call(users.GET, "/api/v1/users?limit=lots&banned=maybe", { key: secret });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.errors.map((error: { meta: { paramName: string } }) => error.meta.paramName).sort()).toEqual(["banned", "limit"]);
  });

  it("answers 404 resource_not_found for an unknown user, and for an id that cannot be one", async () => {
    const { secret } = await newKey();
    for (const id of ["user_2abcdefNOPE", "nope", "sess_123"]) {
      const response = await call(user.GET, `/api/v1/users/${id}`, { key: secret, params: { user_id: id } });
      expect(response.status, id).toBe(404);
      expect(firstError(response.body).code, id).toBe("resource_not_found");
    }
  });

  it("maps domain errors: weak password 422, address in use 409, oversized metadata 400, each naming the parameter", async () => {
    const { secret } = await newKey();
    const weak = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: uniqueEmail(), password: "password" } });
    expect(weak.status).toBe(422);
    expect(firstError(weak.body)).toMatchObject({ code: "form_password_validation_failed", meta: { paramName: "password" } });

    const taken = await signedUpUser();
    const conflict = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: taken.email.toUpperCase() } });
    expect(conflict.status).toBe(409);
    expect(firstError(conflict.body)).toMatchObject({ code: "form_identifier_exists", meta: { paramName: "email_address" } });

    const large = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: uniqueEmail(), public_metadata: { blob: "x".repeat(9000) } } });
    expect(large.status).toBe(400);
    expect(firstError(large.body)).toMatchObject({ meta: { paramName: "public_metadata" } });
    expect(await db.auditEvent.count({ where: { type: "user.created", data: { path: ["method"], equals: "backend_api" } } })).toBe(0);
  });
});

describe("/api/v1/users: a round trip through the real handlers", () => {
  it("creates, reads, lists (cursor and filters), updates, merges metadata, bans, unbans and deletes", async () => {
    const { secret, id: keyId } = await newKey();
    const tag = `zq${Date.now().toString(36)}`;
    const created = await call(users.POST, "/api/v1/users", {
      key: secret,
      body: {
        email_address: `${tag}.one@example.com`,
        password: STRONG_PASSWORD,
        first_name: `${tag}Ada`,
        last_name: "Lovelace",
        public_metadata: { plan: "pro", flags: { beta: true } },
        private_metadata: { stripe: "cus_1" },
      },
    });
    expect(created.status).toBe(201);
    conforms(V1.createUser.response, created.body);
    expect(created.body).toMatchObject({
      object: "user",
      first_name: `${tag}Ada`,
      password_enabled: true,
      public_metadata: { plan: "pro", flags: { beta: true } },
      private_metadata: { stripe: "cus_1" },
      email_addresses: [{ email_address: `${tag}.one@example.com`, verification: { status: "verified" } }],
    });
    const userId = created.body.id as string;
    expect(userId).toMatch(/^user_/);
    expect(await db.auditEvent.findFirst({ where: { type: "user.created", targetId: userId } })).toMatchObject({ data: { method: "backend_api" } });

    const fetched = await call(user.GET, `/api/v1/users/${userId}`, { key: secret, params: { user_id: userId } });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);

    for (const suffix of ["two", "three"]) {
      expect((await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: `${tag}.${suffix}@example.com` } })).status).toBe(201);
    }
    const page1 = await call(users.GET, `/api/v1/users?query=${tag}&limit=2`, { key: secret });
    expect(page1.status).toBe(200);
    conforms(V1.listUsers.response, page1.body);
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await call(users.GET, `/api/v1/users?query=${tag}&limit=2&cursor=${encodeURIComponent(page1.body.next_cursor)}`, { key: secret });
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.next_cursor).toBeNull();
    const allIds = [...page1.body.data, ...page2.body.data].map((row: { id: string }) => row.id);
    expect(new Set(allIds).size).toBe(3);
    expect(allIds).toContain(userId);
    const oldestFirst = await call(users.GET, `/api/v1/users?query=${tag}&order_by=created_asc`, { key: secret });
    expect(oldestFirst.body.data[0].id).toBe(userId);

    const updated = await call(user.PATCH, `/api/v1/users/${userId}`, {
      key: secret,
      method: "PATCH",
      params: { user_id: userId },
      body: { first_name: "Augusta", username: `${tag}_ada` },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ first_name: "Augusta", last_name: "Lovelace", username: `${tag}_ada` });
    const other = page2.body.data[0].id === userId ? page1.body.data[0].id : page2.body.data[0].id;
    const taken = await call(user.PATCH, `/api/v1/users/${other}`, { key: secret, method: "PATCH", params: { user_id: other }, body: { username: `${tag}_ADA` } });
    expect(taken.status).toBe(409);
    expect(firstError(taken.body)).toMatchObject({ code: "form_identifier_exists", meta: { paramName: "username" } });

    const merged = await call(metadata.PATCH, `/api/v1/users/${userId}/metadata`, {
      key: secret,
      method: "PATCH",
      params: { user_id: userId },
      body: { public_metadata: { flags: { gamma: 1 }, plan: null, seats: 3 }, unsafe_metadata: { theme: "dark" } },
    });
    expect(merged.status).toBe(200);
    expect(merged.body.public_metadata).toEqual({ flags: { beta: true, gamma: 1 }, seats: 3 });
    expect(merged.body.private_metadata).toEqual({ stripe: "cus_1" });
    expect(merged.body.unsafe_metadata).toEqual({ theme: "dark" });
    expect(await db.auditEvent.findFirst({ where: { type: "user.metadata_updated", targetId: userId } })).toMatchObject({ actorId: keyId });

    const banned = await call(ban.POST, `/api/v1/users/${userId}/ban`, { key: secret, params: { user_id: userId } });
    expect(banned.status).toBe(200);
    expect(banned.body.banned).toBe(true);
    const bannedList = await call(users.GET, `/api/v1/users?query=${tag}&banned=true`, { key: secret });
    expect(bannedList.body.data.map((row: { id: string }) => row.id)).toEqual([userId]);
    const unbanned = await call(unban.POST, `/api/v1/users/${userId}/unban`, { key: secret, params: { user_id: userId } });
    expect(unbanned.body.banned).toBe(false);

    const deleted = await call(user.DELETE, `/api/v1/users/${userId}`, { key: secret, method: "DELETE", params: { user_id: userId } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ object: "user", id: userId, deleted: true });
    expect((await call(user.GET, `/api/v1/users/${userId}`, { key: secret, params: { user_id: userId } })).status).toBe(404);
    expect(await db.auditEvent.findFirst({ where: { type: "user.deleted", targetId: userId } })).toMatchObject({ actorId: keyId });
  });

  it("creates with a phone number and an external_id, sets and clears external_id; a taken one or a number in use is 409, a bad number 400", async () => {
    const { secret } = await newKey();
    const phone = `+1415555${String(Date.now()).slice(-4)}`;
    const externalId = `ext_${newId("user").slice(-10)}`;
    const created = await call(users.POST, "/api/v1/users", {
      key: secret,
      body: { email_address: uniqueEmail(), phone_number: phone.replace("+1", "+1 ").replace(/(\d{3})(\d{4})$/, "$1-$2"), external_id: externalId },
    });
    expect(created.status).toBe(201);
    conforms(V1.createUser.response, created.body);
    expect(created.body).toMatchObject({ external_id: externalId, phone_numbers: [{ phone_number: phone, verification: { status: "verified" } }] });
    expect(created.body.primary_phone_number_id).toBe(created.body.phone_numbers[0].id);
    const userId = created.body.id as string;

    const sameId = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: uniqueEmail(), external_id: externalId } });
    expect(sameId.status).toBe(409);
    expect(firstError(sameId.body)).toMatchObject({ meta: { paramName: "external_id" } });
    const samePhone = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: uniqueEmail(), phone_number: phone } });
    expect(samePhone.status).toBe(409);
    expect(firstError(samePhone.body)).toMatchObject({ meta: { paramName: "phone_number" } });
    const badPhone = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: uniqueEmail(), phone_number: "12" } });
    expect(badPhone.status).toBe(400);
    expect(firstError(badPhone.body)).toMatchObject({ meta: { paramName: "phone_number" } });
    // Nothing half-written by the refused ones.
    expect(await db.user.count({ where: { externalId } })).toBe(1);
    expect(await db.phoneNumber.count({ where: { phone } })).toBe(1);

    const other = await call(users.POST, "/api/v1/users", { key: secret, body: { email_address: uniqueEmail() } });
    const otherId = other.body.id as string;
    const taken = await call(user.PATCH, `/api/v1/users/${otherId}`, { key: secret, method: "PATCH", params: { user_id: otherId }, body: { external_id: externalId } });
    expect(taken.status).toBe(409);
    const renamed = await call(user.PATCH, `/api/v1/users/${userId}`, { key: secret, method: "PATCH", params: { user_id: userId }, body: { external_id: `${externalId}-2` } });
    expect(renamed.body.external_id).toBe(`${externalId}-2`);
    const moved = await call(user.PATCH, `/api/v1/users/${otherId}`, { key: secret, method: "PATCH", params: { user_id: otherId }, body: { external_id: externalId } });
    expect(moved.body.external_id).toBe(externalId);
    const cleared = await call(user.PATCH, `/api/v1/users/${otherId}`, { key: secret, method: "PATCH", params: { user_id: otherId }, body: { external_id: null } });
    expect(cleared.body.external_id).toBeNull();
    expect(await db.auditEvent.findFirst({ where: { type: "user.updated", targetId: userId }, orderBy: { createdAt: "desc" } })).toMatchObject({ data: { fields: ["externalId"] } });
  });

  it("refuses to ban an admin (403) and to delete the last admin (409)", async () => {
    const { secret } = await newKey();
    // The key's creator is an admin too; make a lone admin the only one by demoting every other.
    await db.user.updateMany({ where: { role: "admin" }, data: { role: "user" } });
    const admin = await db.user.create({ data: { id: newId("user"), role: "admin" } });
    const refused = await call(ban.POST, `/api/v1/users/${admin.id}/ban`, { key: secret, params: { user_id: admin.id } });
    expect(refused.status).toBe(403);
    const last = await call(user.DELETE, `/api/v1/users/${admin.id}`, { key: secret, method: "DELETE", params: { user_id: admin.id } });
    expect(last.status).toBe(409);
  });
});

describe("/api/v1/sessions and tokens", () => {
  it("lists a user's sessions, revokes one, and ban ends them all", async () => {
    const { secret } = await newKey();
    const browser = await signedUpUser();
    const second = await signedUpUser({ email: `second.${browser.email}` });
    void second;
    const listed = await call(sessions.GET, `/api/v1/sessions?user_id=${browser.userId}`, { key: secret });
    expect(listed.status).toBe(200);
    conforms(V1.listSessions.response, listed.body);
    expect(listed.body.data).toHaveLength(1);
    const session = listed.body.data[0];
    expect(session).toMatchObject({ object: "session", user_id: browser.userId, status: "active", actor: null });

    const missingUser = await call(sessions.GET, "/api/v1/sessions", { key: secret });
    expect(missingUser.status).toBe(400);
    expect(firstError(missingUser.body)).toMatchObject({ code: "form_param_missing", meta: { paramName: "user_id" } });

    const revoked = await call(revokeSession.POST, `/api/v1/sessions/${session.id}/revoke`, { key: secret, params: { session_id: session.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: session.id, status: "revoked", ended_at: expect.any(Number) });
    const unknown = await call(revokeSession.POST, "/api/v1/sessions/sess_nope/revoke", { key: secret, params: { session_id: "sess_nope" } });
    expect(unknown.status).toBe(404);

    const active = await call(sessions.GET, `/api/v1/sessions?user_id=${browser.userId}&status=active`, { key: secret });
    expect(active.body.data).toEqual([]);

    // Ban: every active session of the user ends.
    const other = await signedUpUser();
    await call(ban.POST, `/api/v1/users/${other.userId}/ban`, { key: secret, params: { user_id: other.userId } });
    const after = await call(sessions.GET, `/api/v1/sessions?user_id=${other.userId}`, { key: secret });
    expect(after.body.data.map((row: { status: string }) => row.status)).toEqual(["revoked"]);
  });

  it("pages through sessions with a cursor", async () => {
    const { secret } = await newKey();
    const browser = await signedUpUser();
    const client = await db.client.findFirstOrThrow({ where: { sessions: { some: { userId: browser.userId } } } });
    for (let index = 0; index < 3; index++) {
      await db.session.create({
        data: { id: newId("session"), userId: browser.userId, clientId: client.id, status: "ended", createdAt: new Date(Date.now() - (index + 1) * 60_000), expiresAt: new Date() },
      });
    }
    const first = await call(sessions.GET, `/api/v1/sessions?user_id=${browser.userId}&limit=3`, { key: secret });
    expect(first.body.data).toHaveLength(3);
    const rest = await call(sessions.GET, `/api/v1/sessions?user_id=${browser.userId}&limit=3&cursor=${first.body.next_cursor}`, { key: secret });
    expect(rest.body.data).toHaveLength(1);
    expect(rest.body.next_cursor).toBeNull();
    const bad = await call(sessions.GET, `/api/v1/sessions?user_id=${browser.userId}&cursor=garbage`, { key: secret });
    expect(bad.status).toBe(400);
    expect(firstError(bad.body).meta?.paramName).toBe("cursor");
  });

  it("verifies a session token with the database's word on its session: 200, then 401 once revoked; 422 for a non-JWT", async () => {
    const { secret } = await newKey();
    const browser = await signedUpUser();
    const token = browser.jar.values.get("__session")!;
    const verified = await call(verifyToken.POST, "/api/v1/tokens/verify", { key: secret, body: { token } });
    expect(verified.status).toBe(200);
    conforms(V1.verifySessionToken.response, verified.body);
    expect(verified.body).toMatchObject({ object: "token_verification", claims: { sub: browser.userId, iss: ORIGIN }, session: { status: "active" } });

    const [header, payload, signature] = token.split(".");
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwtPayload(token), sub: "user_evil" })).toString("base64url")}.${signature}`;
    void payload;
    const forged = await call(verifyToken.POST, "/api/v1/tokens/verify", { key: secret, body: { token: tampered } });
    expect(forged.status).toBe(401);
    expect(firstError(forged.body).code).toBe("token_verification_failed");

    const notJwt = await call(verifyToken.POST, "/api/v1/tokens/verify", { key: secret, body: { token: "hello" } });
    expect(notJwt.status).toBe(422);

    await call(revokeSession.POST, "/api/v1/sessions/x/revoke", { key: secret, params: { session_id: verified.body.session.id } });
    const ended = await call(verifyToken.POST, "/api/v1/tokens/verify", { key: secret, body: { token } });
    expect(ended.status).toBe(401);
    expect(firstError(ended.body).code).toBe("session_invalid");
  });

  it("mints a JWT template token for an active session; unknown template or ended session is 404", async () => {
    const { secret } = await newKey();
    const browser = await signedUpUser();
    const sessionId = decodeJwtPayload(browser.jar.values.get("__session")!).sid as string;
    const name = `convex-${Date.now().toString(36)}`;
    await db.jwtTemplate.create({ data: { id: newId("jwtTemplate"), name, claims: { aud: "convex", uid: "{{user.id}}" } } });
    const minted = await call(templateToken.POST, "/api/v1/sessions/x/tokens/x", { key: secret, params: { session_id: sessionId, template_name: name } });
    expect(minted.status).toBe(200);
    conforms(V1.createSessionTokenFromTemplate.response, minted.body);
    expect(decodeJwtPayload(minted.body.jwt)).toMatchObject({ sub: browser.userId, sid: sessionId, aud: "convex", uid: browser.userId, iss: ORIGIN });

    const unknownTemplate = await call(templateToken.POST, "/api/v1/sessions/x/tokens/x", { key: secret, params: { session_id: sessionId, template_name: "nope" } });
    expect(unknownTemplate.status).toBe(404);
    expect(firstError(unknownTemplate.body).meta?.paramName).toBe("template_name");
    await db.session.update({ where: { id: sessionId }, data: { status: "ended", endedAt: new Date() } });
    const ended = await call(templateToken.POST, "/api/v1/sessions/x/tokens/x", { key: secret, params: { session_id: sessionId, template_name: name } });
    expect(ended.status).toBe(404);
    expect(firstError(ended.body).meta?.paramName).toBe("session_id");
  });
});
