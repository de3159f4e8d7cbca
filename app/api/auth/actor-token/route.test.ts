import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { createApiKey } from "@/lib/api-keys";
import { IMPERSONATION_MAX_MS } from "@/lib/sign-in";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, decodeJwtPayload, makeRequest } from "@/test/http";
import { GET as actorTokenRoute } from "./route";
import { POST as createActorTokenRoute } from "@/app/api/v1/actor_tokens/route";
import { POST as revokeActorTokenRoute } from "@/app/api/v1/actor_tokens/[actor_token_id]/revoke/route";
import { POST as stopRoute } from "@/app/api/auth/impersonation/stop/route";

async function signedInAdmin() {
  const admin = await signedUpUser();
  await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
  return admin;
}

async function secretKey() {
  const owner = await db.user.create({ data: { id: newId("user"), role: "admin" } });
  return (await createApiKey({ name: "support tool" }, { actorId: owner.id, ip: null, userAgent: null })).secret;
}

async function createToken(secret: string, body: Record<string, unknown>) {
  const response = await createActorTokenRoute(
    makeRequest("/api/v1/actor_tokens", { body, headers: { authorization: `Bearer ${secret}`, origin: "" } }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, body: await response.json() };
}

/** The browser (jar) opens the link, as a click would: cookies sent, Set-Cookie applied. */
async function open(url: string, jar: CookieJar) {
  const { pathname, search } = new URL(url);
  const response = await actorTokenRoute(makeRequest(`${pathname}${search}`, { jar }));
  jar.absorb(response);
  return { status: response.status, location: response.headers.get("location") };
}

describe("actor tokens (S9): create through /api/v1, open in the admin's browser", () => {
  it("opens an impersonation with act.sub = the actor, once; the banner's stop returns to the admin", async () => {
    const secret = await secretKey();
    const admin = await signedInAdmin();
    const adminSessionId = decodeJwtPayload(admin.jar.values.get("__session")!).sid as string;
    const user = await signedUpUser();
    const created = await createToken(secret, { user_id: user.userId, actor: { sub: admin.userId }, expires_in_seconds: 600 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: "actor_token", status: "pending", user_id: user.userId, actor: { sub: admin.userId } });
    expect(created.body.url).toBe(`${ORIGIN}/api/auth/actor-token?token=${created.body.token}`);
    expect(created.body.expires_at - created.body.created_at).toBe(600_000);
    const row = await db.actorToken.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.tokenHash).not.toContain(created.body.token);

    const opened = await open(created.body.url, admin.jar);
    expect(opened.status).toBe(303);
    expect(opened.location).toBe(`${ORIGIN}/account`);
    const claims = decodeJwtPayload(admin.jar.values.get("__session")!);
    expect(claims).toMatchObject({ sub: user.userId, act: { sub: admin.userId }, role: "user" });
    const session = await db.session.findUniqueOrThrow({ where: { id: claims.sid as string } });
    expect(session.actorId).toBe(admin.userId);
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBeLessThanOrEqual(IMPERSONATION_MAX_MS);
    expect((await db.actorToken.findUniqueOrThrow({ where: { id: created.body.id } })).consumedAt).toBeInstanceOf(Date);
    const started = await db.auditEvent.findFirstOrThrow({ where: { type: "impersonation.started", actorId: admin.userId } });
    expect(started.data).toMatchObject({ via: "actor_token", actorTokenId: created.body.id, sessionId: session.id });
    expect(await db.auditEvent.count({ where: { type: "actor_token.created", targetId: user.userId } })).toBe(1);

    // Once: the same link again is refused, whatever the browser.
    expect(await open(created.body.url, admin.jar)).toMatchObject({ status: 303, location: `${ORIGIN}/actor-token?error=used` });

    const stopped = await stopRoute(makeRequest("/api/auth/impersonation/stop", { body: {}, jar: admin.jar }));
    expect(stopped.status).toBe(200);
    admin.jar.absorb(stopped);
    expect(decodeJwtPayload(admin.jar.values.get("__session")!)).toMatchObject({ sub: admin.userId, sid: adminSessionId });
  });

  it("sends a browser without a session to sign in (the token stays unused); another account's browser is told whom to sign in as", async () => {
    const secret = await secretKey();
    const admin = await signedInAdmin();
    const user = await signedUpUser();
    const created = await createToken(secret, { user_id: user.userId, actor: { sub: admin.userId } });
    const path = `/api/auth/actor-token?token=${created.body.token}`;

    const signedOut = await open(created.body.url, new CookieJar());
    expect(signedOut.location).toBe(`${ORIGIN}/sign-in?redirect_url=${encodeURIComponent(path)}`);
    const stranger = await signedUpUser();
    expect((await open(created.body.url, stranger.jar)).location).toBe(`${ORIGIN}/actor-token?error=wrong_account`);
    // Not even the impersonated user's own browser can use it.
    expect((await open(created.body.url, user.jar)).location).toBe(`${ORIGIN}/actor-token?error=wrong_account`);
    expect((await db.actorToken.findUniqueOrThrow({ where: { id: created.body.id } })).consumedAt).toBeNull();
    // Once signed in as the actor (the sign-in page's redirect_url brings the browser back), it works.
    expect((await open(created.body.url, admin.jar)).location).toBe(`${ORIGIN}/account`);
  });

  it("is refused when the actor is no longer an admin or the user was banned since; expired and unknown links too", async () => {
    const secret = await secretKey();
    const admin = await signedInAdmin();
    const user = await signedUpUser();
    const demoted = await createToken(secret, { user_id: user.userId, actor: { sub: admin.userId } });
    await db.user.update({ where: { id: admin.userId }, data: { role: "user" } });
    expect((await open(demoted.body.url, admin.jar)).location).toBe(`${ORIGIN}/actor-token?error=refused`);
    await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });

    const banned = await createToken(secret, { user_id: user.userId, actor: { sub: admin.userId } });
    await db.user.update({ where: { id: user.userId }, data: { banned: true } });
    expect((await open(banned.body.url, admin.jar)).location).toBe(`${ORIGIN}/actor-token?error=refused`);
    await db.user.update({ where: { id: user.userId }, data: { banned: false } });
    expect(await db.actorToken.count({ where: { id: { in: [demoted.body.id, banned.body.id] }, consumedAt: { not: null } } })).toBe(0);

    const expiring = await createToken(secret, { user_id: user.userId, actor: { sub: admin.userId }, expires_in_seconds: 5 });
    await db.actorToken.update({ where: { id: expiring.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await open(expiring.body.url, admin.jar)).location).toBe(`${ORIGIN}/actor-token?error=expired`);
    expect((await open(`${ORIGIN}/api/auth/actor-token?token=${"x".repeat(43)}`, admin.jar)).location).toBe(`${ORIGIN}/actor-token?error=invalid`);
    expect((await open(`${ORIGIN}/api/auth/actor-token`, admin.jar)).location).toBe(`${ORIGIN}/actor-token?error=invalid`);
  });

  it("revokes a pending token through /api/v1: the link stops working; a second revoke is 409", async () => {
    const secret = await secretKey();
    const admin = await signedInAdmin();
    const user = await signedUpUser();
    const created = await createToken(secret, { user_id: user.userId, actor: { sub: admin.userId } });
    const revoke = () =>
      revokeActorTokenRoute(makeRequest(`/api/v1/actor_tokens/${created.body.id}/revoke`, { method: "POST", headers: { authorization: `Bearer ${secret}`, origin: "" } }), {
        params: Promise.resolve({ actor_token_id: created.body.id }),
      });
    const revoked = await revoke();
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: created.body.id, status: "revoked", token: null, url: null });
    expect((await open(created.body.url, admin.jar)).location).toBe(`${ORIGIN}/actor-token?error=expired`);
    expect((await revoke()).status).toBe(409);
    expect(await db.auditEvent.count({ where: { type: "actor_token.revoked", targetId: user.userId } })).toBe(1);
  });

  it("refuses to make a link for a non-admin actor, for an admin or banned user, an unknown user, or over an hour", async () => {
    const secret = await secretKey();
    const admin = await signedInAdmin();
    const user = await signedUpUser();
    const other = await signedUpUser();
    const cases: [Record<string, unknown>, number, string][] = [
      [{ user_id: user.userId, actor: { sub: other.userId } }, 403, "actor.sub"],
      [{ user_id: admin.userId, actor: { sub: admin.userId } }, 403, "actor.sub"],
      [{ user_id: "user_nobody", actor: { sub: admin.userId } }, 404, "user_id"],
      [{ user_id: user.userId, actor: { sub: admin.userId }, expires_in_seconds: 3601 }, 400, "expires_in_seconds"],
      [{ user_id: user.userId }, 400, "actor"],
    ];
    for (const [body, status, paramName] of cases) {
      const response = await createToken(secret, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.errors[0].meta.paramName, JSON.stringify(body)).toBe(paramName);
    }
    const secondAdmin = await signedInAdmin();
    expect((await createToken(secret, { user_id: secondAdmin.userId, actor: { sub: admin.userId } })).body.errors[0].meta.paramName).toBe("user_id");
    await db.user.update({ where: { id: user.userId }, data: { banned: true } });
    expect((await createToken(secret, { user_id: user.userId, actor: { sub: admin.userId } })).status).toBe(403);
  });
});
