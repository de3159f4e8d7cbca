import { describe, expect, it } from "vitest";
import type { NextRequest } from "next/server";
import { db } from "@/lib/db";
import { isPublicRoute } from "@/lib/edge";
import { requireAdminRequest } from "@/lib/session";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, decodeJwtPayload, makeRequest } from "@/test/http";
import { POST as impersonateRoute } from "./route";
import { POST as stopRoute } from "@/app/api/auth/impersonation/stop/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { POST as rotateKeyRoute } from "@/app/api/admin/signing-keys/rotate/route";
import { POST as passwordRoute } from "@/app/api/account/password/route";
import { POST as deleteRoute } from "@/app/api/account/delete/route";
import { POST as emailAddRoute } from "@/app/api/account/emails/add/route";
import { POST as emailPrimaryRoute } from "@/app/api/account/emails/primary/route";
import { POST as emailRemoveRoute } from "@/app/api/account/emails/remove/route";
import { POST as emailResendRoute } from "@/app/api/account/emails/resend/route";
import { POST as emailVerifyRoute } from "@/app/api/account/emails/verify/route";
import { POST as totpStartRoute } from "@/app/api/account/mfa/totp/start/route";
import { POST as totpConfirmRoute } from "@/app/api/account/mfa/totp/confirm/route";
import { POST as totpDisableRoute } from "@/app/api/account/mfa/totp/disable/route";
import { POST as smsStartRoute } from "@/app/api/account/mfa/sms/start/route";
import { POST as smsConfirmRoute } from "@/app/api/account/mfa/sms/confirm/route";
import { POST as smsDisableRoute } from "@/app/api/account/mfa/sms/disable/route";
import { POST as backupCodesRoute } from "@/app/api/account/mfa/backup-codes/route";
import { POST as disconnectRoute } from "@/app/api/account/connected-accounts/disconnect/route";
import { POST as passkeyOptionsRoute } from "@/app/api/account/passkeys/register/options/route";
import { POST as passkeyRenameRoute } from "@/app/api/account/passkeys/rename/route";
import { POST as passkeyRemoveRoute } from "@/app/api/account/passkeys/remove/route";
import { POST as revokeSessionRoute } from "@/app/api/account/sessions/revoke/route";
import { POST as revokeOthersRoute } from "@/app/api/account/sessions/revoke-others/route";
import { POST as reverifyRoute } from "@/app/api/auth/reverify/route";
import { POST as reverifySmsRoute } from "@/app/api/auth/reverify/sms/send/route";
import { POST as reverifyEmailRoute } from "@/app/api/auth/reverify/email/send/route";
import { POST as oauthStartRoute } from "@/app/api/auth/oauth/[provider]/start/route";

type Browser = Awaited<ReturnType<typeof signedUpUser>>;
const claimsOf = (jar: CookieJar) => decodeJwtPayload(jar.values.get("__session")!);
const statusOf = async (sessionId: string) => (await db.session.findUniqueOrThrow({ where: { id: sessionId } })).status;

async function signedInAdmin(): Promise<Browser> {
  const admin = await signedUpUser();
  await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
  return admin;
}

const impersonate = (jar: CookieJar, userId: string) =>
  impersonateRoute(makeRequest(`/api/admin/users/${userId}/impersonate`, { body: {}, jar }), { params: Promise.resolve({ userId }) });

/** An admin's browser (jar) now impersonating a fresh user. */
async function impersonating() {
  const admin = await signedInAdmin();
  const adminSessionId = claimsOf(admin.jar).sid as string;
  const user = await signedUpUser();
  const response = await impersonate(admin.jar, user.userId);
  expect(response.status).toBe(200);
  admin.jar.absorb(response);
  return { admin, adminSessionId, user, userSessionId: claimsOf(user.jar).sid as string, body: await response.json() };
}

const formPost = (path: string, jar: CookieJar) =>
  makeRequest(path, {
    rawBody: "",
    jar,
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
  });

describe("POST /api/admin/users/:id/impersonate (S8)", () => {
  it("sets the impersonation's cookies: a token for the user with act.sub = the admin, and a new client", async () => {
    const admin = await signedInAdmin();
    const oldClient = admin.jar.values.get("__client");
    const user = await signedUpUser();
    const response = await impersonate(admin.jar, user.userId);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "impersonating", userId: user.userId, redirectUrl: "/account" });
    admin.jar.absorb(response);
    expect(claimsOf(admin.jar)).toMatchObject({ sub: user.userId, role: "user", act: { sub: admin.userId } });
    expect(admin.jar.values.get("__client")).not.toBe(oldClient);
    // No device cookie: the admin's browser is not a known device of the user (S10).
    expect(response.headers.getSetCookie().some((line) => line.startsWith("__device="))).toBe(false);
  });

  it("401 signed out, 403 for a non-admin, 403 for an admin target or oneself, 404 for nobody", async () => {
    const user = await signedUpUser();
    const target = await signedUpUser();
    expect((await impersonate(new CookieJar(), target.userId)).status).toBe(401);
    expect((await impersonate(user.jar, target.userId)).status).toBe(403);

    const admin = await signedInAdmin();
    const otherAdmin = await signedInAdmin();
    const refused = await impersonate(admin.jar, otherAdmin.userId);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ errors: [{ code: "forbidden", message: "Admins cannot be impersonated." }] });
    expect((await impersonate(admin.jar, admin.userId)).status).toBe(403);
    expect((await impersonate(admin.jar, "user_nobody")).status).toBe(404);
    expect((await impersonate(admin.jar, "../../etc")).status).toBe(404);
    expect(await db.session.count({ where: { actorId: admin.userId } })).toBe(0);
  });

  it("needs a recent verification (step-up)", async () => {
    const admin = await signedInAdmin();
    const user = await signedUpUser();
    await db.session.update({ where: { id: claimsOf(admin.jar).sid as string }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    const response = await impersonate(admin.jar, user.userId);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ errors: [{ code: "reverification_required" }] });
  });

  it("the impersonation's token reaches no admin handler", async () => {
    const { admin, user } = await impersonating();
    const other = await signedUpUser();
    const again = await impersonate(admin.jar, other.userId);
    expect(again.status).toBe(403);
    const rotate = await rotateKeyRoute(makeRequest("/api/admin/signing-keys/rotate", { body: {}, jar: admin.jar }));
    expect(rotate.status).toBe(403);
    await expect(requireAdminRequest(makeRequest("/api/admin/users", { jar: admin.jar }) as NextRequest)).rejects.toMatchObject({ code: "forbidden" });
    void user;
  });
});

describe("changes only the user may make are refused while impersonating (S8)", () => {
  it("password, MFA, backup codes, addresses, phone, connected accounts, passkeys, devices, step-up, deletion: 403 forbidden", async () => {
    const { admin, user, userSessionId } = await impersonating();
    const jar = admin.jar;
    const post = (path: string, body: unknown) => makeRequest(path, { body, jar });
    const someId = (prefix: string) => `${prefix}_0000000000000000000000`;
    const calls: [string, Promise<Response>][] = [
      ["password", passwordRoute(post("/api/account/password", { newPassword: "another strong passphrase 99" }))],
      ["delete", deleteRoute(post("/api/account/delete", { confirmation: "DELETE" }))],
      ["emails/add", emailAddRoute(post("/api/account/emails/add", { email: "new.address@example.com" }))],
      ["emails/primary", emailPrimaryRoute(post("/api/account/emails/primary", { emailAddressId: someId("email") }))],
      ["emails/remove", emailRemoveRoute(post("/api/account/emails/remove", { emailAddressId: someId("email") }))],
      ["emails/resend", emailResendRoute(post("/api/account/emails/resend", { emailAddressId: someId("email") }))],
      ["emails/verify", emailVerifyRoute(post("/api/account/emails/verify", { emailAddressId: someId("email"), code: "123456" }))],
      ["mfa/totp/start", totpStartRoute(post("/api/account/mfa/totp/start", {}))],
      ["mfa/totp/confirm", totpConfirmRoute(post("/api/account/mfa/totp/confirm", { factorId: someId("mfa"), code: "123456" }))],
      ["mfa/totp/disable", totpDisableRoute(post("/api/account/mfa/totp/disable", {}))],
      ["mfa/sms/start", smsStartRoute(post("/api/account/mfa/sms/start", { phone: "+15555550100" }))],
      ["mfa/sms/confirm", smsConfirmRoute(post("/api/account/mfa/sms/confirm", { code: "123456" }))],
      ["mfa/sms/disable", smsDisableRoute(post("/api/account/mfa/sms/disable", {}))],
      ["mfa/backup-codes", backupCodesRoute(post("/api/account/mfa/backup-codes", {}))],
      ["connected-accounts/disconnect", disconnectRoute(post("/api/account/connected-accounts/disconnect", { externalAccountId: someId("extacc") }))],
      ["passkeys/register/options", passkeyOptionsRoute(post("/api/account/passkeys/register/options", {}))],
      ["passkeys/rename", passkeyRenameRoute(post("/api/account/passkeys/rename", { passkeyId: someId("pk"), name: "Mine" }))],
      ["passkeys/remove", passkeyRemoveRoute(post("/api/account/passkeys/remove", { passkeyId: someId("pk") }))],
      ["sessions/revoke", revokeSessionRoute(post("/api/account/sessions/revoke", { sessionId: userSessionId }))],
      ["sessions/revoke-others", revokeOthersRoute(post("/api/account/sessions/revoke-others", {}))],
      ["reverify", reverifyRoute(post("/api/auth/reverify", { method: "password", password: user.password }))],
      ["reverify/sms/send", reverifySmsRoute(post("/api/auth/reverify/sms/send", {}))],
      ["reverify/email/send", reverifyEmailRoute(post("/api/auth/reverify/email/send", {}))],
      [
        "oauth connect",
        oauthStartRoute(post("/api/auth/oauth/google/start", { intent: "connect" }), { params: Promise.resolve({ provider: "google" }) }),
      ],
    ];
    const results: Record<string, string> = {};
    for (const [name, call] of calls) {
      const response = await call;
      const body = (await response.json()) as { errors?: { code: string }[] };
      results[name] = `${response.status} ${body.errors?.[0]?.code ?? "ok"}`;
    }
    expect(results).toEqual(Object.fromEntries(calls.map(([name]) => [name, "403 forbidden"])));

    // Nothing happened to the user: same password, account and sessions.
    expect(await statusOf(userSessionId)).toBe("active");
    expect(await db.user.count({ where: { id: user.userId } })).toBe(1);
    expect(await db.emailAddress.count({ where: { userId: user.userId } })).toBe(1);
  });
});

describe("POST /api/auth/impersonation/stop (S8)", () => {
  it("is reached by the __client cookie (the banner's form may carry a stale token)", () => {
    expect(isPublicRoute("/api/auth/impersonation/stop")).toBe(true);
  });

  it("a plain form post: 303 to the user's admin page, back in the admin's own session (multi-session off), fresh cookies", async () => {
    const { admin, adminSessionId, user, userSessionId } = await impersonating();
    const impersonationClient = admin.jar.values.get("__client");
    const response = await stopRoute(formPost("/api/auth/impersonation/stop", admin.jar));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/admin/users/${user.userId}`);
    admin.jar.absorb(response);
    const claims = claimsOf(admin.jar);
    expect(claims).toMatchObject({ sub: admin.userId, sid: adminSessionId });
    expect(claims.act).toBeUndefined();
    expect(admin.jar.values.get("__client")).not.toBe(impersonationClient);

    // Both own sessions are still there, and the browser's next refresh stays the admin.
    expect(await statusOf(adminSessionId)).toBe("active");
    expect(await statusOf(userSessionId)).toBe("active");
    const refreshed = await refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, jar: admin.jar }));
    expect(refreshed.status).toBe(200);
    admin.jar.absorb(refreshed);
    expect(claimsOf(admin.jar)).toMatchObject({ sub: admin.userId, sid: adminSessionId });
    const userRefresh = await refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, jar: user.jar }));
    expect(userRefresh.status).toBe(200);

    expect(await db.auditEvent.count({ where: { type: "impersonation.started", actorId: admin.userId, targetId: user.userId } })).toBe(1);
    expect(await db.auditEvent.count({ where: { type: "impersonation.stopped", actorId: admin.userId, targetId: user.userId } })).toBe(1);

    // Not impersonating any more: a form goes home, a fetch hears 409.
    const again = await stopRoute(formPost("/api/auth/impersonation/stop", admin.jar));
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(`${ORIGIN}/`);
    expect((await stopRoute(makeRequest("/api/auth/impersonation/stop", { body: {}, jar: admin.jar }))).status).toBe(409);
  });

  it("a fetch: JSON naming where to go, with the admin's cookies", async () => {
    const { admin, adminSessionId, user } = await impersonating();
    const response = await stopRoute(makeRequest("/api/auth/impersonation/stop", { body: {}, jar: admin.jar, headers: { accept: "application/json" } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "stopped", userId: user.userId, redirectUrl: `/admin/users/${user.userId}` });
    admin.jar.absorb(response);
    expect(claimsOf(admin.jar)).toMatchObject({ sub: admin.userId, sid: adminSessionId });
  });

  it("works with an expired session token, and signs out when the admin's own session is gone", async () => {
    const { admin, adminSessionId } = await impersonating();
    admin.jar.values.delete("__session");
    await db.session.update({ where: { id: adminSessionId }, data: { status: "revoked" } });
    const response = await stopRoute(formPost("/api/auth/impersonation/stop", admin.jar));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/sign-in`);
    admin.jar.absorb(response);
    expect(admin.jar.values.has("__client")).toBe(false);
  });

  it("refuses a cross-site form post (Origin check)", async () => {
    const { admin } = await impersonating();
    const request = makeRequest("/api/auth/impersonation/stop", {
      rawBody: "",
      jar: admin.jar,
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
    });
    expect((await stopRoute(request)).status).toBe(403);
  });
});
