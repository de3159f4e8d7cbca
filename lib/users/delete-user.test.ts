import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { sha256 } from "@/lib/crypto";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { newId } from "@/lib/ids";
import { mintSessionToken } from "@/lib/session";
import { latestEmailCode, signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as refreshRoute } from "@/app/api/auth/session/refresh/route";
import { POST as addEmailRoute } from "@/app/api/account/emails/add/route";
import { POST as verifyEmailRoute } from "@/app/api/account/emails/verify/route";
import { POST as deleteRoute } from "@/app/api/account/delete/route";

const refresh = (jar: CookieJar) => refreshRoute(makeRequest("/api/auth/session/refresh", { body: {}, jar }));
const remove = (jar: CookieJar, confirmation: string) =>
  deleteRoute(makeRequest("/api/account/delete", { body: { confirmation }, jar }));

/** Every row that could name the user, counted. */
async function personalRows(userId: string, emails: string[]) {
  const [users, emailAddresses, phones, external, sessions, factors, backupCodes, avatars, verifications, signIns, signUps, outbox] =
    await Promise.all([
      db.user.count({ where: { id: userId } }),
      db.emailAddress.count({ where: { OR: [{ userId }, { emailNormalized: { in: emails }, verified: true }] } }),
      db.phoneNumber.count({ where: { userId } }),
      db.externalAccount.count({ where: { userId } }),
      db.session.count({ where: { userId } }),
      db.mfaFactor.count({ where: { userId } }),
      db.backupCode.count({ where: { userId } }),
      db.avatar.count({ where: { userId } }),
      db.verification.count({ where: { OR: [{ userId }, { identifier: { in: emails } }] } }),
      db.signInAttempt.count({ where: { OR: [{ userId }, { identifier: { in: emails } }] } }),
      db.signUpAttempt.count({ where: { OR: [{ userId }, { emailAddress: { in: emails } }] } }),
      db.outboxMessage.count({ where: { to: { in: emails, mode: "insensitive" } } }),
    ]);
  return { users, emailAddresses, phones, external, sessions, factors, backupCodes, avatars, verifications, signIns, signUps, outbox };
}

describe("delete account (S7)", () => {
  it("removes every personal row, ends every session, audits with a hash, clears cookies", async () => {
    const user = await signedUpUser();
    const { userId } = user;
    // A second verified address, a second device, a phone, a provider, factors, codes and an avatar.
    const second = uniqueEmail("second");
    const added = (await (await addEmailRoute(makeRequest("/api/account/emails/add", { body: { email: second }, jar: user.jar }))).json()) as {
      emailAddress: { id: string };
    };
    await verifyEmailRoute(
      makeRequest("/api/account/emails/verify", { body: { emailAddressId: added.emailAddress.id, code: await latestEmailCode(second) }, jar: user.jar }),
    );
    const phone = new CookieJar();
    const signIn = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email: user.email, password: user.password }, jar: phone }));
    phone.absorb(signIn);
    const phoneId = newId("identification");
    await db.phoneNumber.create({ data: { id: phoneId, userId, phone: `+1555${Date.now().toString().slice(-7)}`, verified: true } });
    await db.externalAccount.create({ data: { id: newId("externalAccount"), userId, provider: "github", providerUserId: `gh-${userId}`, email: user.email } });
    await db.mfaFactor.create({ data: { id: newId("mfaFactor"), userId, type: "totp", secretEncrypted: "x", confirmedAt: new Date() } });
    await db.backupCode.create({ data: { id: newId("backupCode"), userId, codeHash: "x" } });
    await db.avatar.create({ data: { userId, data: Buffer.from("img"), contentType: "image/webp", etag: "e", width: 1, height: 1 } });

    const emails = [user.email.toLowerCase(), second.toLowerCase()];
    expect(Object.values(await personalRows(userId, emails)).every((count) => count > 0)).toBe(true);

    // Another user is untouched.
    const other = await signedUpUser();

    const response = await remove(user.jar, "DELETE");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "deleted", redirectUrl: "/sign-in" });
    // This browser's cookies are cleared in the response.
    const cleared = response.headers.getSetCookie().filter((line) => /max-age=0/i.test(line)).map((line) => line.split("=")[0]);
    expect(cleared).toEqual(expect.arrayContaining([SESSION_COOKIE, CLIENT_COOKIE]));

    expect(await personalRows(userId, emails)).toEqual({
      users: 0,
      emailAddresses: 0,
      phones: 0,
      external: 0,
      sessions: 0,
      factors: 0,
      backupCodes: 0,
      avatars: 0,
      verifications: 0,
      signIns: 0,
      signUps: 0,
      outbox: 0,
    });
    // Every device is out: the other one's refresh gets 401.
    expect((await refresh(phone)).status).toBe(401);
    expect((await refresh(other.jar)).status).toBe(200);

    const audit = await db.auditEvent.findFirstOrThrow({ where: { type: "user.deleted", targetId: userId } });
    expect(audit.actorId).toBe(userId);
    const serialized = JSON.stringify(audit);
    for (const email of emails) expect(serialized).not.toContain(email);
    expect((audit.data as { emailSha256: string[] }).emailSha256.sort()).toEqual(emails.map((email) => sha256(email)).sort());
    // No audit row anywhere holds an address in clear.
    const all = JSON.stringify(await db.auditEvent.findMany({ where: { OR: [{ actorId: userId }, { targetId: userId }] } }));
    for (const email of emails) expect(all).not.toContain(email);
  });

  it("accepts the primary email address as the typed confirmation, in any case", async () => {
    const user = await signedUpUser();
    const response = await remove(user.jar, ` ${user.email.toUpperCase()} `);
    expect(response.status).toBe(200);
    expect(await db.user.count({ where: { id: user.userId } })).toBe(0);
  });

  it("refuses without the typed confirmation, and changes nothing", async () => {
    const user = await signedUpUser();
    for (const confirmation of ["", "delete", "yes", "someone.else@example.com"]) {
      const response = await remove(user.jar, confirmation);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { field?: string }[] };
      expect(body.errors[0]!.field).toBe("confirmation");
    }
    expect((await remove(user.jar, undefined as unknown as string)).status).toBe(400);
    expect(await db.user.count({ where: { id: user.userId } })).toBe(1);
    expect((await refresh(user.jar)).status).toBe(200);
  });

  it("needs a recent verification", async () => {
    const user = await signedUpUser();
    const sid = decodeJwtPayload(user.jar.values.get(SESSION_COOKIE)!).sid as string;
    await db.session.update({ where: { id: sid }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    const response = await remove(user.jar, "DELETE");
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("reverification_required");
    expect(await db.user.count({ where: { id: user.userId } })).toBe(1);
  });

  it("is refused with 403 while impersonating", async () => {
    const user = await signedUpUser();
    const admin = await signedUpUser();
    const sid = decodeJwtPayload(user.jar.values.get(SESSION_COOKIE)!).sid as string;
    await db.session.update({ where: { id: sid }, data: { actorId: admin.userId } });
    const context = { ip: null, userAgent: "vitest", issuer: ORIGIN, authorizedParty: ORIGIN };
    const minted = await mintSessionToken({ userId: user.userId, sessionId: sid, role: "user", emailVerified: true, actorId: admin.userId }, context);
    user.jar.values.set(SESSION_COOKIE, minted.token);
    const response = await remove(user.jar, "DELETE");
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toMatch(/impersonat/);
    expect(await db.user.count({ where: { id: user.userId } })).toBe(1);
  });
});
