import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { readInstanceSettings, updateInstanceSettings } from "@/lib/settings";
import { listBrowserAccounts, refreshSessionToken, signOut, switchActiveSession, type RequestContext } from "@/lib/session";
import { signedUpUser } from "@/test/fixtures";
import { ORIGIN, decodeJwtPayload } from "@/test/http";
import { IMPERSONATION_MAX_MS, startImpersonation, stopImpersonation } from "./impersonation";

const context: RequestContext = { ip: "192.0.2.7", userAgent: "vitest", issuer: ORIGIN, authorizedParty: ORIGIN };
const later = (ms: number): RequestContext => ({ ...context, now: new Date(Date.now() + ms) });

type Browser = Awaited<ReturnType<typeof signedUpUser>>;
const sessionIdOf = (browser: Browser) => decodeJwtPayload(browser.jar.values.get("__session")!).sid as string;
const clientTokenOf = (browser: Browser) => browser.jar.values.get("__client")!;
const statusOf = async (sessionId: string) => (await db.session.findUniqueOrThrow({ where: { id: sessionId } })).status;

async function signedInAdmin(): Promise<Browser> {
  const admin = await signedUpUser();
  await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
  return admin;
}

/** An admin (fresh sign-in: step-up satisfied) impersonating a fresh user on the admin's browser. */
async function impersonating() {
  const admin = await signedInAdmin();
  const user = await signedUpUser();
  const started = await startImpersonation(
    { adminId: admin.userId, adminSessionId: sessionIdOf(admin), targetUserId: user.userId, clientToken: clientTokenOf(admin) },
    context,
  );
  return { admin, user, started, adminSessionId: sessionIdOf(admin), userSessionId: sessionIdOf(user) };
}

async function withMultiSession<T>(run: () => Promise<T>): Promise<T> {
  const { version } = await readInstanceSettings();
  const { version: next } = await updateInstanceSettings({ multiSession: true }, { expectedVersion: version });
  try {
    return await run();
  } finally {
    await updateInstanceSettings({ multiSession: false }, { expectedVersion: next });
  }
}

describe("starting an impersonation (S8)", () => {
  it("opens an actor session for the user, act.sub = admin, at most 1 h, ending nobody's session (multi-session off)", async () => {
    const { admin, user, started, adminSessionId, userSessionId } = await impersonating();
    const claims = decodeJwtPayload(started.sessionToken);
    expect(claims).toMatchObject({ sub: user.userId, sid: started.sessionId, role: "user", act: { sub: admin.userId } });

    const session = await db.session.findUniqueOrThrow({ where: { id: started.sessionId } });
    expect(session).toMatchObject({ userId: user.userId, actorId: admin.userId, status: "active" });
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBeLessThanOrEqual(IMPERSONATION_MAX_MS);
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBeGreaterThan(IMPERSONATION_MAX_MS - 60_000);
    expect(started.sessionExpiresAt.getTime()).toBe(session.expiresAt.getTime());
    expect(Number(claims.exp) * 1000).toBeLessThanOrEqual(session.expiresAt.getTime());
    // The admin proved who THEY are: the impersonation never counts as the user's recent verification.
    expect(session.verifiedAt.getTime()).toBe(0);

    // The admin's own session waits underneath; the user's own sessions are untouched.
    expect(await statusOf(adminSessionId)).toBe("active");
    expect(await statusOf(userSessionId)).toBe("active");
    await expect(refreshSessionToken(clientTokenOf(user), context)).resolves.toMatchObject({ userId: user.userId, sessionId: userSessionId });

    // The browser's client token was re-issued (no fixation); the new one refreshes the impersonation.
    await expect(refreshSessionToken(clientTokenOf(admin), context)).rejects.toMatchObject({ code: "session_invalid" });
    const refreshed = await refreshSessionToken(started.newClientToken, context);
    expect(refreshed.sessionId).toBe(started.sessionId);
    expect(decodeJwtPayload(refreshed.sessionToken)).toMatchObject({ sub: user.userId, act: { sub: admin.userId } });

    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "impersonation.started", actorId: admin.userId } });
    expect(audit).toMatchObject({ targetId: user.userId, ip: "192.0.2.7" });
    expect(audit.data).toMatchObject({ sessionId: started.sessionId, adminSessionId });
  });

  it("never outlives the admin's own session", async () => {
    const admin = await signedInAdmin();
    const user = await signedUpUser();
    const soon = new Date(Date.now() + 10 * 60_000);
    await db.session.update({ where: { id: sessionIdOf(admin) }, data: { expiresAt: soon } });
    const started = await startImpersonation(
      { adminId: admin.userId, adminSessionId: sessionIdOf(admin), targetUserId: user.userId, clientToken: clientTokenOf(admin) },
      context,
    );
    expect(started.sessionExpiresAt.getTime()).toBe(soon.getTime());
  });

  it("refuses admins, oneself, banned and deleted users, a stale verification, and another browser", async () => {
    const admin = await signedInAdmin();
    const start = (targetUserId: string, overrides: Partial<Parameters<typeof startImpersonation>[0]> = {}) =>
      startImpersonation(
        { adminId: admin.userId, adminSessionId: sessionIdOf(admin), targetUserId, clientToken: clientTokenOf(admin), ...overrides },
        context,
      );
    const otherAdmin = await signedInAdmin();
    await expect(start(otherAdmin.userId)).rejects.toMatchObject({ code: "forbidden", message: "Admins cannot be impersonated." });
    await expect(start(admin.userId)).rejects.toMatchObject({ code: "forbidden", message: "You cannot impersonate yourself." });
    const banned = await signedUpUser();
    await db.user.update({ where: { id: banned.userId }, data: { banned: true } });
    await expect(start(banned.userId)).rejects.toMatchObject({ code: "forbidden" });
    await expect(start("user_doesnotexist")).rejects.toMatchObject({ code: "not_found" });

    const user = await signedUpUser();
    // Someone else's browser (client token) with the admin's session id: not the admin's browser.
    await expect(start(user.userId, { clientToken: clientTokenOf(user) })).rejects.toMatchObject({ code: "session_invalid" });
    // A non-admin, even one calling the domain directly.
    await expect(
      startImpersonation({ adminId: user.userId, adminSessionId: sessionIdOf(user), targetUserId: banned.userId, clientToken: clientTokenOf(user) }, context),
    ).rejects.toMatchObject({ code: "forbidden" });

    await db.session.update({ where: { id: sessionIdOf(admin) }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    await expect(start(user.userId)).rejects.toMatchObject({ code: "reverification_required" });
    expect(await db.session.count({ where: { actorId: admin.userId } })).toBe(0);
    expect(await db.auditEvent.count({ where: { type: "impersonation.started", actorId: admin.userId } })).toBe(0);
  });
});

describe("stopping an impersonation (S8)", () => {
  it("ends the actor session and returns to the admin's own session with new client and session tokens", async () => {
    const { admin, user, started, adminSessionId, userSessionId } = await impersonating();
    const stopped = await stopImpersonation(started.newClientToken, context);
    expect(stopped.impersonatedUserId).toBe(user.userId);
    expect(stopped.admin).toMatchObject({ sessionId: adminSessionId, userId: admin.userId });
    expect(decodeJwtPayload(stopped.admin!.sessionToken).act).toBeUndefined();

    expect(await statusOf(started.sessionId)).toBe("ended");
    expect(await statusOf(adminSessionId)).toBe("active");
    expect(await statusOf(userSessionId)).toBe("active");
    // Re-issued again: the impersonation's client token is dead, the new one is the admin's.
    await expect(refreshSessionToken(started.newClientToken, context)).rejects.toMatchObject({ code: "session_invalid" });
    await expect(refreshSessionToken(stopped.newClientToken, context)).resolves.toMatchObject({ sessionId: adminSessionId });

    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "impersonation.stopped", actorId: admin.userId } });
    expect(audit).toMatchObject({ targetId: user.userId });
    expect(audit.data).toMatchObject({ sessionId: started.sessionId, reason: "stopped", returnedToSessionId: adminSessionId });

    await expect(stopImpersonation(stopped.newClientToken, context)).rejects.toMatchObject({ code: "conflict" });
  });

  it("signs the browser out when the admin's own session is gone", async () => {
    const { started, adminSessionId } = await impersonating();
    await db.session.update({ where: { id: adminSessionId }, data: { status: "revoked" } });
    const stopped = await stopImpersonation(started.newClientToken, context);
    expect(stopped.admin).toBeNull();
    expect(await statusOf(started.sessionId)).toBe("ended");
  });
});

describe("the refresh when an impersonation is over (S2, S8)", () => {
  it("after its hour, falls back to the admin's own session instead of signing the admin out", async () => {
    const { admin, started, adminSessionId } = await impersonating();
    const issued = await refreshSessionToken(started.newClientToken, later(IMPERSONATION_MAX_MS + 60_000));
    expect(issued).toMatchObject({ sessionId: adminSessionId, userId: admin.userId });
    expect(decodeJwtPayload(issued.sessionToken).act).toBeUndefined();
    expect(await statusOf(started.sessionId)).toBe("expired");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "impersonation.stopped", actorId: admin.userId } });
    expect(audit.data).toMatchObject({ reason: "expired", returnedToSessionId: adminSessionId });
    // And it stays there.
    await expect(refreshSessionToken(started.newClientToken, context)).resolves.toMatchObject({ sessionId: adminSessionId });
  });

  it("when the user is banned or the actor session revoked, falls back too", async () => {
    const first = await impersonating();
    await db.user.update({ where: { id: first.user.userId }, data: { banned: true } });
    await expect(refreshSessionToken(first.started.newClientToken, context)).resolves.toMatchObject({ sessionId: first.adminSessionId });
    expect(await statusOf(first.started.sessionId)).toBe("ended");

    const second = await impersonating();
    await db.session.update({ where: { id: second.started.sessionId }, data: { status: "revoked" } });
    await expect(refreshSessionToken(second.started.newClientToken, context)).resolves.toMatchObject({ sessionId: second.adminSessionId });
  });

  it("ends with the admin's own session or role: a demoted or signed-out admin stops impersonating", async () => {
    const first = await impersonating();
    await db.session.update({ where: { id: first.adminSessionId }, data: { status: "revoked" } });
    await expect(refreshSessionToken(first.started.newClientToken, context)).rejects.toMatchObject({ code: "session_invalid" });
    expect(await statusOf(first.started.sessionId)).toBe("ended");

    const second = await impersonating();
    await db.user.update({ where: { id: second.admin.userId }, data: { role: "user" } });
    // The impersonation ends with the role; the browser goes back to its own (now plain user) session.
    const issued = await refreshSessionToken(second.started.newClientToken, context);
    expect(issued).toMatchObject({ sessionId: second.adminSessionId, userId: second.admin.userId });
    expect(decodeJwtPayload(issued.sessionToken)).toMatchObject({ role: "user" });
    expect(await statusOf(second.started.sessionId)).toBe("ended");
  });

  it("keeps the admin's own session alive while the impersonation is used (inactivity timeout)", async () => {
    const { started, adminSessionId } = await impersonating();
    await db.session.updateMany({ where: { id: { in: [started.sessionId, adminSessionId] } }, data: { lastActiveAt: new Date(Date.now() - 6 * 60_000) } });
    await refreshSessionToken(started.newClientToken, context);
    const own = await db.session.findUniqueOrThrow({ where: { id: adminSessionId } });
    expect(Date.now() - own.lastActiveAt.getTime()).toBeLessThan(60_000);
  });
});

describe("an impersonation is not one of the browser's accounts (S2 multi-session)", () => {
  it("is not listed nor a switch target; switching and 'sign out everywhere' are refused; signing out returns to the admin", async () => {
    await withMultiSession(async () => {
      const { admin, user, started, adminSessionId, userSessionId } = await impersonating();
      const accounts = await listBrowserAccounts(started.newClientToken);
      expect(accounts.map((account) => [account.user.id, account.active])).toEqual([[admin.userId, false]]);

      await expect(switchActiveSession(started.newClientToken, adminSessionId, context)).rejects.toMatchObject({ code: "conflict" });
      await expect(signOut(started.newClientToken, "all", context)).rejects.toMatchObject({ code: "forbidden" });
      expect(await statusOf(userSessionId)).toBe("active");

      await expect(signOut(started.newClientToken, "session", context)).resolves.toEqual({ anotherAccountActive: true });
      expect(await statusOf(started.sessionId)).toBe("ended");
      await expect(refreshSessionToken(started.newClientToken, context)).resolves.toMatchObject({ sessionId: adminSessionId });
      const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "impersonation.stopped", actorId: admin.userId } });
      expect(audit.data).toMatchObject({ reason: "sign_out", returnedToSessionId: adminSessionId });
      void user;
    });
  });
});
