import { beforeEach, describe, expect, it } from "vitest";
import type { NextRequest } from "next/server";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { GET as detailRoute } from "@/app/api/admin/users/[userId]/route";
import { GET as listRoute } from "@/app/api/admin/users/route";
import { POST as banRoute } from "@/app/api/admin/users/[userId]/ban/route";
import { POST as unbanRoute } from "@/app/api/admin/users/[userId]/unban/route";
import { POST as lockRoute } from "@/app/api/admin/users/[userId]/lock/route";
import { POST as unlockRoute } from "@/app/api/admin/users/[userId]/unlock/route";
import { POST as resetMfaRoute } from "@/app/api/admin/users/[userId]/reset-mfa/route";
import { POST as deleteRoute } from "@/app/api/admin/users/[userId]/delete/route";
import { PATCH as metadataRoute } from "@/app/api/admin/users/[userId]/metadata/route";
import { POST as revokeRoute } from "@/app/api/admin/users/[userId]/sessions/revoke/route";
import { db } from "@/lib/db";
import { CLIENT_COOKIE } from "@/lib/edge";
import { newId } from "@/lib/ids";
import { setRateLimitStore } from "@/lib/ratelimit";
import { refreshSessionToken, type RequestContext } from "@/lib/session";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, makeRequest, ORIGIN } from "@/test/http";
import {
  adminDeleteUser,
  banUser,
  lockUser,
  resetUserMfa,
  revokeAllUserSessions,
  revokeUserSession,
  unbanUser,
  updateUserMetadataAsAdmin,
  type AdminActor,
} from "./user-actions";
import { getAdminUserDetail } from "./users";
import { steadyMemoryStore } from "@/test/rate-limit";

const context: RequestContext = { ip: "127.0.0.1", userAgent: "vitest", issuer: ORIGIN, authorizedParty: ORIGIN };
const refresh = (jar: CookieJar) => refreshSessionToken(jar.values.get(CLIENT_COOKIE) ?? null, context);

beforeEach(() => setRateLimitStore(steadyMemoryStore()));

async function admin() {
  const user = await signedUpUser();
  await db.user.update({ where: { id: user.userId }, data: { role: "admin" } });
  const actor: AdminActor = { actorId: user.userId, ip: "192.0.2.7", userAgent: "admin-agent" };
  return { ...user, actor };
}

type Params = { params: Promise<{ userId: string }> };
type Route = (request: NextRequest, context: Params) => Promise<Response>;
const call = (route: Route, userId: string, jar: CookieJar, body: unknown = {}, method?: string) =>
  route(makeRequest(`/api/admin/users/${userId}/x`, { body, jar, method }), { params: Promise.resolve({ userId }) });

async function auditOf(type: string, targetId: string) {
  return db.auditEvent.findMany({ where: { type, targetId }, orderBy: { createdAt: "asc" } });
}

const signIn = (email: string, password: string, jar = new CookieJar()) =>
  signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password }, jar }));

describe("ban / unban", () => {
  it("ban ends every session (the next refresh fails), refuses sign-in, is audited; unban lets them back", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    const laptop = new CookieJar();
    laptop.absorb(await signIn(target.email, target.password, laptop));
    await refresh(target.jar); // both sessions work before

    const response = await call(banRoute, target.userId, boss.jar);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "banned", endedSessions: 2 });
    expect(await db.session.count({ where: { userId: target.userId, status: "active" } })).toBe(0);
    expect(await db.session.count({ where: { userId: target.userId, status: "revoked" } })).toBe(2);
    await expect(refresh(target.jar)).rejects.toMatchObject({ code: "session_invalid" });
    await expect(refresh(laptop)).rejects.toMatchObject({ code: "session_invalid" });
    expect((await signIn(target.email, target.password)).status).toBe(403);
    const [banned] = await auditOf("user.banned", target.userId);
    expect(banned).toMatchObject({ actorId: boss.userId, ip: null, userAgent: "vitest" });
    expect(banned!.data).toMatchObject({ endedSessions: 2 });

    const unbanned = await call(unbanRoute, target.userId, boss.jar);
    expect(await unbanned.json()).toEqual({ status: "unbanned", wasBanned: true });
    expect((await db.user.findUniqueOrThrow({ where: { id: target.userId } })).banned).toBe(false);
    expect(await auditOf("user.unbanned", target.userId)).toHaveLength(1);
    expect((await signIn(target.email, target.password)).status).toBe(200);
  });

  it("refuses banning yourself or another admin (403), and an unknown user (404)", async () => {
    const boss = await admin();
    const other = await admin();
    await expect(banUser({ userId: boss.userId }, boss.actor)).rejects.toMatchObject({ code: "forbidden", message: "You cannot ban your own account." });
    await expect(banUser({ userId: other.userId }, boss.actor)).rejects.toMatchObject({ code: "forbidden", message: "Admins cannot be banned." });
    expect((await call(banRoute, other.userId, boss.jar)).status).toBe(403);
    expect((await call(banRoute, "user_doesnotexist", boss.jar)).status).toBe(404);
    expect((await call(banRoute, "not an id", boss.jar)).status).toBe(404);
    expect(await db.user.count({ where: { id: { in: [boss.userId, other.userId] }, banned: true } })).toBe(0);
    expect(await db.auditEvent.count({ where: { type: "user.banned", actorId: boss.userId } })).toBe(0);
    await expect(unbanUser({ userId: "user_doesnotexist" }, boss.actor)).rejects.toMatchObject({ code: "not_found" });
  });

  it("admin routes refuse a signed-in user who is not an admin (403) before reading the body", async () => {
    const user = await signedUpUser();
    const target = await signedUpUser();
    expect((await call(banRoute, target.userId, user.jar)).status).toBe(403);
    expect((await call(deleteRoute, target.userId, user.jar, { nonsense: true })).status).toBe(403);
    const list = await listRoute(makeRequest("/api/admin/users?query=x", { jar: user.jar }));
    expect(list.status).toBe(403);
    expect((await db.user.findUniqueOrThrow({ where: { id: target.userId } })).banned).toBe(false);
  });
});

describe("lock / unlock", () => {
  it("locks password sign-in from new browsers for an hour by default, audited; unlock lifts it", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    const before = Date.now();
    const response = await call(lockRoute, target.userId, boss.jar);
    expect(response.status).toBe(200);
    const { lockedUntil } = (await db.user.findUniqueOrThrow({ where: { id: target.userId } }));
    expect(lockedUntil!.getTime()).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(lockedUntil!.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect((await signIn(target.email, target.password)).status).toBe(423);
    await refresh(target.jar); // signed-in devices stay signed in (S10)
    const [locked] = await auditOf("user.locked", target.userId);
    expect(locked).toMatchObject({ actorId: boss.userId });
    expect(locked!.data).toMatchObject({ by: "admin", minutes: 60 });

    expect(await (await call(unlockRoute, target.userId, boss.jar)).json()).toEqual({ status: "unlocked", wasLocked: true });
    expect((await signIn(target.email, target.password)).status).toBe(200);
    expect(await auditOf("user.unlocked", target.userId)).toHaveLength(1);
  });

  it("takes minutes, refuses bad ones with a field error, and refuses your own account", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    const { lockedUntil } = await lockUser({ userId: target.userId, minutes: 5 }, { ...boss.actor, now: new Date(0) });
    expect(lockedUntil).toEqual(new Date(5 * 60_000));
    for (const minutes of [0, -1, 1.5, "10", 10_000_000]) {
      const response = await call(lockRoute, target.userId, boss.jar, { minutes });
      expect(response.status).toBe(400);
      expect((await response.json()).errors[0]).toMatchObject({ field: "minutes" });
    }
    await expect(lockUser({ userId: target.userId, minutes: 0 }, boss.actor)).rejects.toMatchObject({ code: "validation_failed" });
    await expect(lockUser({ userId: boss.userId }, boss.actor)).rejects.toMatchObject({ code: "forbidden" });
    await expect(lockUser({ userId: "user_doesnotexist" }, boss.actor)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("reset MFA", () => {
  it("removes factors and backup codes, turns MFA off, audited as the admin; not for yourself", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    await db.user.update({ where: { id: target.userId }, data: { mfaEnabled: true, totpEnabled: true, backupCodesEnabled: true } });
    await db.mfaFactor.create({ data: { id: newId("mfaFactor"), userId: target.userId, type: "totp", secretEncrypted: "x", confirmedAt: new Date() } });
    await db.backupCode.create({ data: { id: newId("backupCode"), userId: target.userId, codeHash: "x" } });

    expect(await (await call(resetMfaRoute, target.userId, boss.jar)).json()).toEqual({ status: "mfa_reset" });
    expect(await db.user.findUniqueOrThrow({ where: { id: target.userId } })).toMatchObject({ mfaEnabled: false, totpEnabled: false, backupCodesEnabled: false });
    expect(await db.mfaFactor.count({ where: { userId: target.userId } })).toBe(0);
    expect(await db.backupCode.count({ where: { userId: target.userId } })).toBe(0);
    expect(await auditOf("mfa.reset", target.userId)).toMatchObject([{ actorId: boss.userId }]);
    await expect(resetUserMfa({ userId: boss.userId }, boss.actor)).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("delete", () => {
  it("deletes the user and their data after step-up, confirmed by their primary email or id, audited", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    const wrong = await call(deleteRoute, target.userId, boss.jar, { confirmation: "yes please" });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).errors[0]).toMatchObject({ field: "confirmation" });
    expect(await db.user.count({ where: { id: target.userId } })).toBe(1);

    // Step-up: the admin's own verification is older than 10 minutes.
    await db.session.updateMany({ where: { userId: boss.userId }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    const stale = await call(deleteRoute, target.userId, boss.jar, { confirmation: target.email });
    expect(stale.status).toBe(403);
    expect((await stale.json()).errors[0]).toMatchObject({ code: "reverification_required" });
    expect(await db.user.count({ where: { id: target.userId } })).toBe(1);
    await db.session.updateMany({ where: { userId: boss.userId }, data: { verifiedAt: new Date() } });

    const response = await call(deleteRoute, target.userId, boss.jar, { confirmation: `  ${target.email.toUpperCase()} ` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "deleted", redirectUrl: "/admin/users" });
    expect(await db.user.count({ where: { id: target.userId } })).toBe(0);
    expect(await db.session.count({ where: { userId: target.userId } })).toBe(0);
    expect(await db.emailAddress.count({ where: { emailNormalized: target.email.toLowerCase() } })).toBe(0);
    await expect(refresh(target.jar)).rejects.toMatchObject({ code: "session_invalid" });
    const [deleted] = await auditOf("user.deleted", target.userId);
    expect(deleted).toMatchObject({ actorId: boss.userId, targetId: target.userId });
    expect(deleted!.data).toMatchObject({ by: "admin", endedSessions: 1, emailSha256: [expect.stringMatching(/^[0-9a-f]{64}$/)] });

    const byId = await signedUpUser();
    await adminDeleteUser({ userId: byId.userId, confirmation: byId.userId }, boss.actor);
    expect(await db.user.count({ where: { id: byId.userId } })).toBe(0);
  });

  it("refuses deleting yourself and the last admin; another admin may go while one stays", async () => {
    const boss = await admin();
    const other = await admin();
    await expect(adminDeleteUser({ userId: boss.userId, confirmation: boss.email }, boss.actor)).rejects.toMatchObject({ code: "forbidden" });
    expect((await call(deleteRoute, boss.userId, boss.jar, { confirmation: boss.email })).status).toBe(403);

    // Every other admin gone: the remaining one cannot be deleted (by the CLI or a stale admin page).
    await db.user.updateMany({ where: { role: "admin", id: { not: other.userId } }, data: { role: "user" } });
    const formerAdmin: AdminActor = { ...boss.actor };
    await expect(adminDeleteUser({ userId: other.userId, confirmation: other.email }, formerAdmin)).rejects.toMatchObject({ code: "conflict" });
    expect(await db.user.count({ where: { id: other.userId } })).toBe(1);

    await db.user.update({ where: { id: boss.userId }, data: { role: "admin" } });
    await adminDeleteUser({ userId: other.userId, confirmation: other.email }, boss.actor);
    expect(await db.user.count({ where: { id: other.userId } })).toBe(0);
    await expect(adminDeleteUser({ userId: other.userId, confirmation: other.email }, boss.actor)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("metadata", () => {
  it("replaces each kind, validated, with a version that refuses stale writes; audited with the fields only", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    const { metadataVersion } = (await getAdminUserDetail(target.userId))!;

    const saved = await call(metadataRoute, target.userId, boss.jar, { privateMetadata: { tier: "gold" }, expectedVersion: metadataVersion }, "PATCH");
    expect(saved.status).toBe(200);
    const body = await saved.json();
    expect(body.metadata).toEqual({ publicMetadata: {}, privateMetadata: { tier: "gold" }, unsafeMetadata: {} });
    expect(body.metadataVersion).not.toBe(metadataVersion);
    const [event] = await auditOf("user.metadata_updated", target.userId);
    expect(event).toMatchObject({ actorId: boss.userId });
    expect(event!.data).toEqual({ fields: ["privateMetadata"] });
    expect(JSON.stringify(event!.data)).not.toContain("gold");

    // The same version again: someone saved meanwhile (here: this very save) -> 409, nothing written.
    const stale = await call(metadataRoute, target.userId, boss.jar, { publicMetadata: { a: 1 }, expectedVersion: metadataVersion }, "PATCH");
    expect(stale.status).toBe(409);
    expect((await db.user.findUniqueOrThrow({ where: { id: target.userId } })).publicMetadata).toEqual({});

    // Saving what is already there changes nothing and audits nothing.
    const again = await updateUserMetadataAsAdmin({ userId: target.userId, privateMetadata: { tier: "gold" }, expectedVersion: body.metadataVersion }, boss.actor);
    expect(again.metadataVersion).toBe(body.metadataVersion);
    expect(await auditOf("user.metadata_updated", target.userId)).toHaveLength(1);

    // Without a version the write is unconditional; several kinds at once.
    const both = await updateUserMetadataAsAdmin({ userId: target.userId, publicMetadata: { plan: "pro" }, unsafeMetadata: { theme: "dark" } }, boss.actor);
    expect(both.metadata).toEqual({ publicMetadata: { plan: "pro" }, privateMetadata: { tier: "gold" }, unsafeMetadata: { theme: "dark" } });
    expect((await auditOf("user.metadata_updated", target.userId)).at(-1)!.data).toEqual({ fields: ["publicMetadata", "unsafeMetadata"] });
  });

  it("refuses non-objects and more than 8 KB with an error under the kind's name", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    for (const value of [[1, 2], "text", 42, null]) {
      const response = await call(metadataRoute, target.userId, boss.jar, { publicMetadata: value }, "PATCH");
      expect(response.status, JSON.stringify(value)).toBe(400);
      expect((await response.json()).errors[0]).toMatchObject({ field: "publicMetadata" });
    }
    const large = await call(metadataRoute, target.userId, boss.jar, { unsafeMetadata: { blob: "x".repeat(8 * 1024) } }, "PATCH");
    expect(large.status).toBe(400);
    expect((await large.json()).errors[0]).toMatchObject({ field: "unsafeMetadata", message: expect.stringContaining("8 KB") });
    const none = await call(metadataRoute, target.userId, boss.jar, {}, "PATCH");
    expect(none.status).toBe(400);
    const unknown = await call(metadataRoute, target.userId, boss.jar, { secretMetadata: {} }, "PATCH");
    expect(unknown.status).toBe(400);
    expect((await db.user.findUniqueOrThrow({ where: { id: target.userId } })).unsafeMetadata).toEqual({});
    expect(await auditOf("user.metadata_updated", target.userId)).toHaveLength(0);
    await expect(updateUserMetadataAsAdmin({ userId: "user_doesnotexist", publicMetadata: {} }, boss.actor)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("sessions", () => {
  it("revokes one session of the user (its refresh fails), never another user's; or all of them", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    const other = await signedUpUser();
    const laptop = new CookieJar();
    laptop.absorb(await signIn(target.email, target.password, laptop));
    const [first] = await db.session.findMany({ where: { userId: target.userId, status: "active" }, orderBy: { createdAt: "asc" } });
    const otherSession = await db.session.findFirstOrThrow({ where: { userId: other.userId, status: "active" } });

    // Another user's session through this user's URL: not found, and still active.
    const foreign = await call(revokeRoute, target.userId, boss.jar, { sessionId: otherSession.id });
    expect(foreign.status).toBe(404);
    await refresh(other.jar);
    await expect(revokeUserSession({ userId: target.userId, sessionId: "sess_doesnotexist" }, boss.actor)).rejects.toMatchObject({ code: "not_found" });

    const one = await call(revokeRoute, target.userId, boss.jar, { sessionId: first!.id });
    expect(await one.json()).toEqual({ status: "signed_out", revoked: 1 });
    await expect(refresh(target.jar)).rejects.toMatchObject({ code: "session_invalid" });
    await refresh(laptop);
    expect((await auditOf("session.revoked", target.userId))[0]).toMatchObject({ actorId: boss.userId, data: { by: "admin", sessionId: first!.id } });
    // Already revoked: not found.
    expect((await call(revokeRoute, target.userId, boss.jar, { sessionId: first!.id })).status).toBe(404);

    const all = await call(revokeRoute, target.userId, boss.jar, { all: true });
    expect(await all.json()).toEqual({ status: "signed_out", revoked: 1 });
    await expect(refresh(laptop)).rejects.toMatchObject({ code: "session_invalid" });
    await refresh(other.jar);
    expect((await auditOf("session.revoked", target.userId)).at(-1)!.data).toEqual({ by: "admin", all: true, revoked: 1 });
    expect(await revokeAllUserSessions({ userId: target.userId }, boss.actor)).toEqual({ revoked: 0 });
    expect((await call(revokeRoute, target.userId, boss.jar, { all: false })).status).toBe(400);
    expect((await call(revokeRoute, target.userId, boss.jar, {})).status).toBe(400);
  });
});

describe("routes: list and detail", () => {
  it("parses the list's query string and answers the detail, 404 for an unknown user", async () => {
    const boss = await admin();
    const target = await signedUpUser();
    const listed = await listRoute(makeRequest(`/api/admin/users?query=${encodeURIComponent(target.email)}&banned=false&mfa=false&createdFrom=2020-01-01&createdTo=${new Date().toISOString().slice(0, 10)}&sort=created_asc&limit=10`, { jar: boss.jar }));
    expect(listed.status).toBe(200);
    const page = await listed.json();
    expect(page.users.map((user: { id: string }) => user.id)).toEqual([target.userId]);
    expect(page.nextCursor).toBeNull();

    const bad = await listRoute(makeRequest("/api/admin/users?banned=yes&createdFrom=yesterday&limit=500&sort=name", { jar: boss.jar }));
    expect(bad.status).toBe(400);
    const fields = (await bad.json()).errors.map((error: { field: string }) => error.field).sort();
    expect(fields).toEqual(["banned", "createdFrom", "limit", "sort"]);

    const detail = await detailRoute(makeRequest(`/api/admin/users/${target.userId}`, { jar: boss.jar }), { params: Promise.resolve({ userId: target.userId }) });
    expect(detail.status).toBe(200);
    expect((await detail.json()).user).toMatchObject({ id: target.userId, email: target.email, activeSessions: [expect.objectContaining({ ip: null })] });
    const missing = await detailRoute(makeRequest("/api/admin/users/user_nobody", { jar: boss.jar }), { params: Promise.resolve({ userId: "user_nobody" }) });
    expect(missing.status).toBe(404);
  });
});
