import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { readInstanceSettings, updateInstanceSettings, type InstanceSettingsPatch } from "@/lib/settings";
import type { RequestContext } from "@/lib/session";
import { finishPasskeySignIn, startPasskeySignIn } from "@/lib/sign-in";
import { POST as optionsRoute } from "@/app/api/auth/passkey/options/route";
import { POST as verifyRoute } from "@/app/api/auth/passkey/verify/route";
import { POST as adminRemoveRoute } from "@/app/api/admin/users/[userId]/passkeys/remove/route";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, makeRequest } from "@/test/http";
import { SoftwareAuthenticator } from "@/test/software-authenticator";
import { finishPasskeyRegistration, listPasskeys, relyingParty, removePasskey, renamePasskey, startPasskeyRegistration } from "./passkeys";

const context: RequestContext = { ip: "192.0.2.9", userAgent: "vitest", issuer: "http://localhost:3000", authorizedParty: "http://localhost:3000" };
const later = (ms: number) => ({ ...context, now: new Date(Date.now() + ms) });
const SIX_MINUTES = 6 * 60_000;

async function setSettings(patch: InstanceSettingsPatch) {
  const { version } = await readInstanceSettings();
  await updateInstanceSettings(patch, { expectedVersion: version });
}

async function userWithSession() {
  const user = await signedUpUser();
  const session = await db.session.findFirstOrThrow({ where: { userId: user.userId, status: "active" } });
  return { ...user, verifier: { userId: user.userId, sessionId: session.id } };
}

async function userWithPasskey() {
  const user = await userWithSession();
  const authenticator = new SoftwareAuthenticator();
  const options = await startPasskeyRegistration(user.verifier, context);
  const passkey = await finishPasskeyRegistration(user.verifier, { response: authenticator.register(options), name: "Laptop" }, context);
  return { ...user, authenticator, passkey };
}

async function signInChallenge() {
  const started = await startPasskeySignIn({ clientToken: null }, context);
  return { ...started, clientToken: started.newClientToken };
}

describe("adding a passkey (S7)", () => {
  it("stores the public key with its name, audited, and lists it", async () => {
    const { userId, passkey } = await userWithPasskey();
    expect(passkey).toMatchObject({ name: "Laptop", lastUsedAt: null, authenticator: null });
    expect(await listPasskeys(userId)).toEqual([passkey]);
    const row = await db.passkey.findUniqueOrThrow({ where: { id: passkey.id } });
    expect(row.publicKey.length).toBeGreaterThan(60);
    const added = await db.auditEvent.findFirstOrThrow({ where: { type: "passkey.added", targetId: userId, actorId: userId } });
    expect(added.data).toMatchObject({ passkeyId: passkey.id, name: "Laptop" });
  });

  it("needs a recent verification", async () => {
    const { verifier } = await userWithSession();
    await expect(startPasskeyRegistration(verifier, later(11 * 60_000))).rejects.toMatchObject({ code: "reverification_required" });
  });

  it("refuses a wrong origin, a wrong rp id and a missing user verification", async () => {
    const { verifier, userId } = await userWithSession();
    const authenticator = new SoftwareAuthenticator();
    for (const bad of [{ origin: "https://evil.example" }, { rpId: "evil.example" }, { userVerified: false }]) {
      const options = await startPasskeyRegistration(verifier, context);
      await expect(finishPasskeyRegistration(verifier, { response: authenticator.register(options, bad) }, context)).rejects.toMatchObject({
        code: "invalid_credentials",
      });
    }
    expect(await listPasskeys(userId)).toEqual([]);
  });

  it("refuses a challenge used twice, an expired one, and another user's challenge", async () => {
    const { verifier } = await userWithSession();
    const options = await startPasskeyRegistration(verifier, context);
    const response = new SoftwareAuthenticator().register(options);
    await finishPasskeyRegistration(verifier, { response }, context);
    await expect(finishPasskeyRegistration(verifier, { response }, context)).rejects.toMatchObject({ code: "verification_used" });

    const stale = await startPasskeyRegistration(verifier, context);
    await expect(
      finishPasskeyRegistration(verifier, { response: new SoftwareAuthenticator().register(stale) }, later(SIX_MINUTES)),
    ).rejects.toMatchObject({ code: "verification_expired" });

    const other = await userWithSession();
    const theirs = await startPasskeyRegistration(other.verifier, context);
    await expect(
      finishPasskeyRegistration(verifier, { response: new SoftwareAuthenticator().register(theirs) }, context),
    ).rejects.toMatchObject({ code: "verification_used" });
  });

  it("refuses a credential already registered to another user", async () => {
    const { authenticator } = await userWithPasskey();
    const other = await userWithSession();
    const options = await startPasskeyRegistration(other.verifier, context);
    await expect(finishPasskeyRegistration(other.verifier, { response: authenticator.register(options) }, context)).rejects.toMatchObject({
      code: "conflict",
    });
  });
});

describe("signing in with a passkey (S2, S7)", () => {
  it("opens a session through the routes with factor passkey, skipping the second factor", async () => {
    const { userId, authenticator, passkey } = await userWithPasskey();
    // MFA on: a user-verified passkey counts as both factors.
    await db.user.update({ where: { id: userId }, data: { mfaEnabled: true } });
    const jar = new CookieJar();
    const optionsResponse = await optionsRoute(makeRequest("/api/auth/passkey/options", { body: {}, jar }));
    expect(optionsResponse.status).toBe(200);
    jar.absorb(optionsResponse);
    const { attemptId, options } = (await optionsResponse.json()) as { attemptId: string; options: { challenge: string; rpId: string; userVerification: string } };
    expect(options).toMatchObject({ rpId: "localhost", userVerification: "required" });

    const verified = await verifyRoute(
      makeRequest("/api/auth/passkey/verify", { body: { attemptId, response: authenticator.authenticate(options) }, jar }),
    );
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ status: "complete" });
    expect(verified.headers.getSetCookie().some((line) => line.startsWith("__session="))).toBe(true);

    const attempt = await db.signInAttempt.findUniqueOrThrow({ where: { id: attemptId } });
    expect(attempt).toMatchObject({ status: "complete", userId, firstFactor: "passkey", secondFactor: null });
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "sign_in.succeeded", targetId: attempt.createdSessionId! } });
    expect(event.data).toMatchObject({ factor: "passkey" });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: passkey.id } })).lastUsedAt).not.toBeNull();
  });

  it("refuses a wrong origin, a wrong rp id and a missing user verification", async () => {
    const { authenticator } = await userWithPasskey();
    for (const bad of [{ origin: "https://evil.example" }, { rpId: "evil.example" }, { userVerified: false }]) {
      const { attemptId, options, clientToken } = await signInChallenge();
      await expect(
        finishPasskeySignIn({ attemptId, clientToken, response: authenticator.authenticate(options, bad) }, context),
      ).rejects.toMatchObject({ code: "invalid_credentials" });
      expect((await db.signInAttempt.findUniqueOrThrow({ where: { id: attemptId } })).status).toBe("needs_first_factor");
    }
  });

  it("refuses a challenge used twice and an expired one", async () => {
    const { authenticator } = await userWithPasskey();
    // A failed check burns the challenge too: the right answer cannot follow a wrong one.
    const first = await signInChallenge();
    await expect(
      finishPasskeySignIn({ attemptId: first.attemptId, clientToken: first.clientToken, response: authenticator.authenticate(first.options, { origin: "https://evil.example" }) }, context),
    ).rejects.toMatchObject({ code: "invalid_credentials" });
    await expect(
      finishPasskeySignIn({ attemptId: first.attemptId, clientToken: first.clientToken, response: authenticator.authenticate(first.options) }, context),
    ).rejects.toMatchObject({ code: "verification_used" });
    // A completed sign-in cannot be replayed.
    const second = await signInChallenge();
    const response = authenticator.authenticate(second.options);
    await finishPasskeySignIn({ attemptId: second.attemptId, clientToken: second.clientToken, response }, context);
    await expect(finishPasskeySignIn({ attemptId: second.attemptId, clientToken: second.clientToken, response }, context)).rejects.toThrow();

    const stale = await signInChallenge();
    await expect(
      finishPasskeySignIn(
        { attemptId: stale.attemptId, clientToken: stale.clientToken, response: authenticator.authenticate(stale.options) },
        later(SIX_MINUTES),
      ),
    ).rejects.toMatchObject({ code: "verification_expired" });
  });

  it("refuses a challenge from another browser's attempt", async () => {
    const { authenticator } = await userWithPasskey();
    const mine = await signInChallenge();
    const theirs = await signInChallenge();
    await expect(
      finishPasskeySignIn({ attemptId: mine.attemptId, clientToken: mine.clientToken, response: authenticator.authenticate(theirs.options) }, context),
    ).rejects.toMatchObject({ code: "verification_used" });
    await expect(
      finishPasskeySignIn({ attemptId: mine.attemptId, clientToken: theirs.clientToken, response: authenticator.authenticate(mine.options) }, context),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("refuses a credential presented for another user (user handle mismatch)", async () => {
    const { authenticator } = await userWithPasskey();
    const other = await userWithPasskey();
    const { attemptId, options, clientToken } = await signInChallenge();
    const response = authenticator.authenticate(options, { userHandle: other.authenticator.userHandle! });
    await expect(finishPasskeySignIn({ attemptId, clientToken, response }, context)).rejects.toMatchObject({ code: "invalid_credentials" });
  });

  it("refuses and audits a signature counter that went backwards (a cloned authenticator)", async () => {
    const { authenticator, passkey, userId } = await userWithPasskey();
    const first = await signInChallenge();
    await finishPasskeySignIn(
      { attemptId: first.attemptId, clientToken: first.clientToken, response: authenticator.authenticate(first.options, { counter: 5 }) },
      context,
    );
    const second = await signInChallenge();
    await expect(
      finishPasskeySignIn(
        { attemptId: second.attemptId, clientToken: second.clientToken, response: authenticator.authenticate(second.options, { counter: 3 }) },
        context,
      ),
    ).rejects.toMatchObject({ code: "invalid_credentials" });
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "passkey.counter_regression", targetId: userId } });
    expect(event.data).toMatchObject({ passkeyId: passkey.id, storedCounter: 5, receivedCounter: 3 });
    expect((await db.passkey.findUniqueOrThrow({ where: { id: passkey.id } })).counter).toBe(BigInt(5));
  });
});

describe("managing passkeys (S7)", () => {
  it("renames and removes (audited); only the owner's", async () => {
    const { userId, passkey } = await userWithPasskey();
    const other = await userWithSession();
    await expect(renamePasskey({ userId: other.userId, passkeyId: passkey.id, name: "Mine" })).rejects.toMatchObject({ code: "not_found" });
    expect(await renamePasskey({ userId, passkeyId: passkey.id, name: "  Phone " })).toMatchObject({ name: "Phone" });
    await expect(removePasskey({ userId: other.userId, passkeyId: passkey.id }, context)).rejects.toMatchObject({ code: "not_found" });
    await removePasskey({ userId, passkeyId: passkey.id }, context);
    expect(await listPasskeys(userId)).toEqual([]);
    const removed = await db.auditEvent.findFirstOrThrow({ where: { type: "passkey.removed", targetId: userId } });
    expect(removed).toMatchObject({ actorId: userId, data: { passkeyId: passkey.id } });
  });

  it("an admin removes a user's passkey through the admin route (audited with the admin as actor)", async () => {
    const { userId, passkey } = await userWithPasskey();
    const admin = await signedUpUser();
    await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
    const path = `/api/admin/users/${userId}/passkeys/remove`;
    const params = { params: Promise.resolve({ userId }) };
    const someoneElse = await signedUpUser();
    const asUser = await adminRemoveRoute(makeRequest(path, { body: { passkeyId: passkey.id }, jar: someoneElse.jar }), params);
    expect(asUser.status).toBe(403);
    const response = await adminRemoveRoute(makeRequest(path, { body: { passkeyId: passkey.id }, jar: admin.jar }), params);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await listPasskeys(userId)).toEqual([]);
    const removed = await db.auditEvent.findFirstOrThrow({ where: { type: "passkey.removed", targetId: userId } });
    expect(removed).toMatchObject({ actorId: admin.userId, data: { passkeyId: passkey.id, by: "admin" } });
  });

  it("never removes the last way to sign in", async () => {
    const { userId, passkey } = await userWithPasskey();
    // No password, no verified address, no connected account: the passkey is all that is left.
    await db.user.update({ where: { id: userId }, data: { passwordHash: null } });
    await db.emailAddress.updateMany({ where: { userId }, data: { verified: false } });
    await expect(removePasskey({ userId, passkeyId: passkey.id }, context)).rejects.toMatchObject({ code: "conflict" });
    expect(await listPasskeys(userId)).toHaveLength(1);
  });
});

describe("the admin setting (S8)", () => {
  it("turned off, refuses passkey sign-in (403 from the route) and adding passkeys", async () => {
    const { verifier, authenticator } = await userWithPasskey();
    const { attemptId, options, clientToken } = await signInChallenge();
    await setSettings({ passkeySignIn: false });
    try {
      const refused = await optionsRoute(makeRequest("/api/auth/passkey/options", { body: {} }));
      expect(refused.status).toBe(403);
      await expect(
        finishPasskeySignIn({ attemptId, clientToken, response: authenticator.authenticate(options) }, context),
      ).rejects.toMatchObject({ code: "forbidden" });
      await expect(startPasskeyRegistration(verifier, context)).rejects.toMatchObject({ code: "forbidden" });
    } finally {
      await setSettings({ passkeySignIn: true });
    }
  });
});

describe("authenticator names (S7)", () => {
  it("names known providers by AAGUID and nothing else", async () => {
    const { authenticatorName } = await import("./authenticators");
    expect(authenticatorName("EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4")).toBe("Google Password Manager");
    expect(authenticatorName("00000000-0000-0000-0000-000000000000")).toBeNull();
    expect(authenticatorName(null)).toBeNull();
  });
});

describe("a parent-domain rp id (S7 setting passkeyRpId)", () => {
  it("is used when the instance is under it, and then a credential for the instance's own host is refused", async () => {
    expect(relyingParty("https://auth.example.com", "example.com")).toEqual({ rpID: "example.com", origin: "https://auth.example.com" });
    expect(relyingParty("https://auth.example.com", "other.com")).toEqual({ rpID: "auth.example.com", origin: "https://auth.example.com" });
    expect(relyingParty("https://badexample.com", "example.com").rpID).toBe("badexample.com");

    const here = { ...context, issuer: "https://auth.example.com" };
    const { verifier } = await userWithSession();
    await setSettings({ passkeyRpId: "example.com" });
    try {
      const authenticator = new SoftwareAuthenticator({ origin: "https://auth.example.com", rpId: "example.com" });
      const options = await startPasskeyRegistration(verifier, here);
      expect(options.rp.id).toBe("example.com");
      await finishPasskeyRegistration(verifier, { response: authenticator.register(options) }, here);

      const ok = await startPasskeySignIn({ clientToken: null }, here);
      expect(ok.options.rpId).toBe("example.com");
      await expect(
        finishPasskeySignIn({ attemptId: ok.attemptId, clientToken: ok.newClientToken, response: authenticator.authenticate(ok.options) }, here),
      ).resolves.toMatchObject({ status: "complete" });

      const wrong = await startPasskeySignIn({ clientToken: null }, here);
      await expect(
        finishPasskeySignIn(
          { attemptId: wrong.attemptId, clientToken: wrong.newClientToken, response: authenticator.authenticate(wrong.options, { rpId: "auth.example.com" }) },
          here,
        ),
      ).rejects.toMatchObject({ code: "invalid_credentials" });
    } finally {
      await setSettings({ passkeyRpId: null });
    }
  });

  it("must be a domain name", async () => {
    await expect(setSettings({ passkeyRpId: "https://example.com/" })).rejects.toMatchObject({ code: "validation_failed" });
  });
});
