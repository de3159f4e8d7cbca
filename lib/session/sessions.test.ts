import { describe, expect, it } from "vitest";
import { createLocalJWKSet } from "jose";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, SESSION_COOKIE, clearVerifiedTokenCache, verifySessionToken } from "@/lib/edge";
import { readInstanceSettings, updateInstanceSettings, type InstanceSettingsPatch } from "@/lib/settings";
import { signedUpUser } from "@/test/fixtures";
import { decodeJwtPayload } from "@/test/http";
import { getPublicJwks, rotateSigningKey } from "./keys";
import { sha256 } from "@/lib/crypto";
import { refreshClientSession, refreshSessionToken, revokeSession, signOut, UnknownClientError, type RequestContext } from "./sessions";

/** This file has its own database (test/setup-env.ts): changing the instance settings affects no other file. */
async function setSettings(patch: InstanceSettingsPatch) {
  const { version } = await readInstanceSettings();
  await updateInstanceSettings(patch, { expectedVersion: version });
}

/** Multi-session on; the second account signs in on the first account's browser (its client cookie). */
async function withTwoAccountsOnOneBrowser(
  body: (accounts: { first: Awaited<ReturnType<typeof signedUpUser>>; second: Awaited<ReturnType<typeof signedUpUser>>; clientToken: string }) => Promise<void>,
) {
  await setSettings({ multiSession: true });
  try {
    const first = await signedUpUser();
    const second = await signedUpUser();
    const { POST: signIn } = await import("@/app/api/auth/sign-in/route");
    const { makeRequest } = await import("@/test/http");
    first.jar.absorb(await signIn(makeRequest("/api/auth/sign-in", { body: { email: second.email, password: second.password }, jar: first.jar })));
    await body({ first, second, clientToken: first.jar.values.get(CLIENT_COOKIE)! });
  } finally {
    await setSettings({ multiSession: false });
  }
}

const context: RequestContext = { ip: "127.0.0.1", userAgent: "vitest", issuer: "http://localhost:3000", authorizedParty: "http://localhost:3000" };

describe("refreshSessionToken (the handshake check)", () => {
  it("mints a fresh, verifiable token for an active session", async () => {
    const { jar, userId } = await signedUpUser();
    const issued = await refreshSessionToken(jar.values.get(CLIENT_COOKIE)!, context);
    expect(issued.userId).toBe(userId);
    const result = await verifySessionToken(issued.sessionToken, { keys: createLocalJWKSet(await getPublicJwks()), keySetId: "test", issuer: context.issuer });
    expect(result.ok).toBe(true);
  });

  it("refuses unknown or missing client tokens", async () => {
    await expect(refreshSessionToken(null, context)).rejects.toMatchObject({ code: "session_invalid" });
    await expect(refreshSessionToken("not-a-real-client-token", context)).rejects.toMatchObject({ code: "session_invalid" });
  });

  it("refuses a revoked session, so a revoked user is out within one token lifetime", async () => {
    const { jar } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    expect(await revokeSession(sid)).toBe(true);
    await expect(refreshSessionToken(jar.values.get(CLIENT_COOKIE)!, context)).rejects.toMatchObject({ code: "session_invalid" });
  });

  it("refuses banned users, but a lockout leaves existing sessions alone (S10)", async () => {
    const banned = await signedUpUser();
    await db.user.update({ where: { id: banned.userId }, data: { banned: true } });
    await expect(refreshSessionToken(banned.jar.values.get(CLIENT_COOKIE)!, context)).rejects.toMatchObject({ code: "session_invalid" });

    const locked = await signedUpUser();
    await db.user.update({ where: { id: locked.userId }, data: { lockedUntil: new Date(Date.now() + 60_000) } });
    // Strangers' failed passwords must not sign the owner out everywhere.
    await expect(refreshSessionToken(locked.jar.values.get(CLIENT_COOKIE)!, context)).resolves.toMatchObject({ userId: locked.userId });
  });

  it("expires a session past its max lifetime and marks the row expired", async () => {
    const { jar } = await signedUpUser();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    const eightDaysLater = new Date(Date.now() + 8 * 86_400_000);
    await expect(refreshSessionToken(jar.values.get(CLIENT_COOKIE)!, { ...context, now: eightDaysLater })).rejects.toMatchObject({ code: "session_invalid" });
    expect((await db.session.findUniqueOrThrow({ where: { id: sid } })).status).toBe("expired");
  });

  it("enforces the inactivity timeout when an admin turns it on", async () => {
    const { jar } = await signedUpUser();
    await setSettings({ inactivityTimeoutMinutes: 30 });
    try {
      const in31Minutes = new Date(Date.now() + 31 * 60_000);
      await expect(refreshSessionToken(jar.values.get(CLIENT_COOKIE)!, { ...context, now: in31Minutes })).rejects.toMatchObject({ code: "session_invalid" });
    } finally {
      await setSettings({ inactivityTimeoutMinutes: null });
    }
  });

  it("carries the current role, so a role change lands within one token lifetime", async () => {
    const { jar, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { role: "admin" } });
    const issued = await refreshSessionToken(jar.values.get(CLIENT_COOKIE)!, context);
    expect(decodeJwtPayload(issued.sessionToken).role).toBe("admin");
  });
});

describe("signOut", () => {
  it("ends only this browser's session for scope=session", async () => {
    const user = await signedUpUser();
    const other = await signedUpUser({ email: undefined });
    await signOut(user.jar.values.get(CLIENT_COOKIE)!, "session", context);
    const sid = decodeJwtPayload(user.jar.values.get(SESSION_COOKIE)!).sid as string;
    expect((await db.session.findUniqueOrThrow({ where: { id: sid } })).status).toBe("ended");
    await expect(refreshSessionToken(user.jar.values.get(CLIENT_COOKIE)!, context)).rejects.toMatchObject({ code: "session_invalid" });
    await expect(refreshSessionToken(other.jar.values.get(CLIENT_COOKIE)!, context)).resolves.toBeDefined();
  });

  it("revokes every session of the user for scope=all (sign out everywhere)", async () => {
    const { email, password, jar: laptop, userId } = await signedUpUser();
    const { POST: signIn } = await import("@/app/api/auth/sign-in/route");
    const { CookieJar, makeRequest } = await import("@/test/http");
    const phone = new CookieJar();
    phone.absorb(await signIn(makeRequest("/api/auth/sign-in", { body: { email, password }, jar: phone })));
    expect(await db.session.count({ where: { userId, status: "active" } })).toBe(2);

    await signOut(laptop.values.get(CLIENT_COOKIE)!, "all", context);
    expect(await db.session.count({ where: { userId, status: "active" } })).toBe(0);
    await expect(refreshSessionToken(phone.values.get(CLIENT_COOKIE)!, context)).rejects.toMatchObject({ code: "session_invalid" });
    expect(await db.auditEvent.count({ where: { type: "sign_out.everywhere", actorId: userId } })).toBe(1);
  });

  it("with multi-session on, keeps both accounts on one browser and falls back to the other on sign-out", async () => {
    await withTwoAccountsOnOneBrowser(async ({ first, second, clientToken }) => {
      expect(decodeJwtPayload(first.jar.values.get(SESSION_COOKIE)!).sub).toBe(second.userId);
      await signOut(clientToken, "session", context);
      const issued = await refreshSessionToken(clientToken, context);
      expect(issued.userId).toBe(first.userId);
    });
  });
});

describe("refresh racing another request of the same browser", () => {
  it("a refresh whose client moved on while it ran fails as stale (cookies kept), not as signed out", async () => {
    await withTwoAccountsOnOneBrowser(async ({ first, clientToken }) => {
      // The refresh read the client; then another tab signed the second account out (the client now
      // points at the first account's session); then the refresh reads the session it saw: ended.
      const seen = await db.client.findUniqueOrThrow({ where: { tokenHash: sha256(clientToken) }, select: { id: true, lastActiveSessionId: true } });
      await signOut(clientToken, "session", context);
      const stale = await refreshClientSession(clientToken, seen, context).catch((error: unknown) => error);
      // Unknown client: the route answers 401 without clearing cookies, and the page asks again.
      expect(stale).toBeInstanceOf(UnknownClientError);
      expect((await refreshSessionToken(clientToken, context)).userId).toBe(first.userId);

      // Nothing moved: a session that really ended is still a sign-out (the route clears the cookies).
      const current = await db.client.findUniqueOrThrow({ where: { tokenHash: sha256(clientToken) }, select: { id: true, lastActiveSessionId: true } });
      await revokeSession(current.lastActiveSessionId!);
      const ended = await refreshClientSession(clientToken, current, context).catch((error: unknown) => error);
      expect(ended).toMatchObject({ code: "session_invalid" });
      expect(ended).not.toBeInstanceOf(UnknownClientError);
    });
  });
});

describe("signing keys", () => {
  it("publishes only public parts, encrypts the private key at rest, and keeps a rotated key in the JWKS", async () => {
    const before = await getPublicJwks();
    expect(before.keys.length).toBeGreaterThan(0);
    for (const key of before.keys) {
      expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
    const row = await db.signingKey.findFirstOrThrow({ where: { active: true } });
    expect(row.privateJwkEncrypted).toMatch(/^v1\./);
    expect(row.privateJwkEncrypted).not.toContain('"d"');

    const oldKid = row.id;
    const { kid } = await rotateSigningKey();
    const after = await getPublicJwks();
    expect(after.keys.map((key) => key.kid)).toEqual(expect.arrayContaining([kid, oldKid]));

    const { jar } = await signedUpUser();
    expect(JSON.parse(Buffer.from(jar.values.get(SESSION_COOKIE)!.split(".")[0]!, "base64url").toString()).kid).toBe(kid);
    clearVerifiedTokenCache();
  });
});

describe("email_verified claim", () => {
  it("turns true in the next token once the primary address is verified", async () => {
    const { jar, userId } = await signedUpUser();
    const client = jar.values.get(CLIENT_COOKIE)!;
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    await db.emailAddress.update({ where: { id: user.primaryEmailAddressId! }, data: { verified: false } });
    expect(decodeJwtPayload((await refreshSessionToken(client, context)).sessionToken).email_verified).toBe(false);
    await db.emailAddress.update({ where: { id: user.primaryEmailAddressId! }, data: { verified: true, verifiedAt: new Date() } });
    expect(decodeJwtPayload((await refreshSessionToken(client, context)).sessionToken).email_verified).toBe(true);
  });
});
