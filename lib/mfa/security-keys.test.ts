import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetConfigCache } from "@/lib/config";
import { SESSION_COOKIE } from "@/lib/edge";
import { setRateLimitStore } from "@/lib/ratelimit";
import { readInstanceSettings, updateInstanceSettings, type InstanceSettingsPatch } from "@/lib/settings";
import { createTestEndpoint } from "@/lib/webhooks/testing/receiver";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";
import { SoftwareAuthenticator } from "@/test/software-authenticator";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as mfaVerifyRoute } from "@/app/api/auth/mfa/verify/route";
import { POST as keySignInOptionsRoute } from "@/app/api/auth/mfa/security-key/options/route";
import { GET as mfaStatusRoute } from "@/app/api/account/mfa/route";
import { GET as listKeysRoute } from "@/app/api/account/mfa/security-keys/route";
import { POST as registerOptionsRoute } from "@/app/api/account/mfa/security-keys/register/options/route";
import { POST as registerVerifyRoute } from "@/app/api/account/mfa/security-keys/register/verify/route";
import { POST as renameRoute } from "@/app/api/account/mfa/security-keys/rename/route";
import { POST as removeRoute } from "@/app/api/account/mfa/security-keys/remove/route";
import { GET as reverifyMethodsRoute, POST as reverifyRoute } from "@/app/api/auth/reverify/route";
import { POST as reverifyKeyOptionsRoute } from "@/app/api/auth/reverify/security-key/options/route";
import { POST as passkeyOptionsRoute } from "@/app/api/auth/passkey/options/route";
import { POST as passkeyVerifyRoute } from "@/app/api/auth/passkey/verify/route";
import { GET as passkeysRoute } from "@/app/api/account/passkeys/route";
import { POST as totpStartRoute } from "@/app/api/account/mfa/totp/start/route";
import { POST as totpConfirmRoute } from "@/app/api/account/mfa/totp/confirm/route";
import { MAX_SECOND_FACTOR_FAILURES } from "./second-factor";
import { totpCodeAt } from "./totp";
import { steadyMemoryStore } from "@/test/rate-limit";

/**
 * Security keys as a second factor (issue 19), through the real route handlers
 * with a software authenticator: the server's WebAuthn library verifies real bytes.
 */

type Route = (request: never) => Promise<Response>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function call(route: Route, path: string, options: { body?: unknown; jar?: CookieJar } = {}) {
  const response = await route(makeRequest(path, { body: options.body, jar: options.jar }) as never);
  options.jar?.absorb(response);
  return { status: response.status, json: (await response.json()) as Json };
}

async function setSettings(patch: InstanceSettingsPatch) {
  const { version } = await readInstanceSettings();
  await updateInstanceSettings(patch, { expectedVersion: version });
}

beforeAll(() => {
  process.env.OUTBOX_LOOP = "off";
  resetConfigCache();
});

beforeEach(async () => {
  setRateLimitStore(steadyMemoryStore());
  const settings = await readInstanceSettings();
  if (!settings.settings.securityKeySecondFactor) await setSettings({ securityKeySecondFactor: true });
});

/** Adds a security key through the account routes (no user verification: a plain FIDO key). */
async function addKey(jar: CookieJar, name?: string, authenticator = new SoftwareAuthenticator()) {
  const started = await call(registerOptionsRoute, "/api/account/mfa/security-keys/register/options", { body: {}, jar });
  expect(started.status, JSON.stringify(started.json)).toBe(200);
  const response = authenticator.register(started.json.options, { userVerified: false });
  const saved = await call(registerVerifyRoute, "/api/account/mfa/security-keys/register/verify", { body: { response, ...(name ? { name } : {}) }, jar });
  return { authenticator, options: started.json.options, saved };
}

async function userWithKey(name?: string) {
  const user = await signedUpUser();
  const { authenticator, saved } = await addKey(user.jar, name);
  expect(saved.status, JSON.stringify(saved.json)).toBe(200);
  return { ...user, authenticator, key: saved.json.securityKey as { id: string; name: string }, backupCodes: saved.json.backupCodes as string[] };
}

async function passwordStep(email: string, password: string) {
  const jar = new CookieJar();
  const first = await call(signInRoute, "/api/auth/sign-in", { body: { email, password }, jar });
  expect(first.json.status).toBe("needs_second_factor");
  return { jar, attemptId: first.json.attemptId as string, methods: first.json.methods };
}

async function keyChallenge(jar: CookieJar, attemptId: string) {
  const options = await call(keySignInOptionsRoute, "/api/auth/mfa/security-key/options", { body: { attemptId }, jar });
  expect(options.status, JSON.stringify(options.json)).toBe(200);
  return options.json.options as { challenge: string; allowCredentials?: { id: string }[]; userVerification?: string };
}

const verifyWithKey = (jar: CookieJar, attemptId: string, response: unknown) =>
  call(mfaVerifyRoute, "/api/auth/mfa/verify", { body: { attemptId, method: "security_key", response }, jar });

describe("adding a security key", () => {
  it("registers a non-discoverable credential without user verification; the first one turns MFA on with backup codes, audited, user.updated", async () => {
    const user = await signedUpUser();
    const endpoint = await createTestEndpoint("http://127.0.0.1:9/webhooks", { events: ["user.updated"] });
    const { options, saved } = await addKey(user.jar, "YubiKey 5C");
    expect(options.authenticatorSelection).toEqual({ residentKey: "discouraged", userVerification: "discouraged", requireResidentKey: false });
    expect(options.authenticatorSelection.authenticatorAttachment).toBeUndefined();
    expect(saved.status, JSON.stringify(saved.json)).toBe(200);
    expect(saved.json.securityKey).toMatchObject({ name: "YubiKey 5C", lastUsedAt: null });
    expect(saved.json.backupCodes).toHaveLength(10);

    const row = await db.mfaFactor.findUniqueOrThrow({ where: { id: saved.json.securityKey.id } });
    expect(row).toMatchObject({ type: "security_key", userId: user.userId });
    expect(row.confirmedAt).not.toBeNull();
    expect(row.publicKey!.length).toBeGreaterThan(60);
    expect(await db.user.findUniqueOrThrow({ where: { id: user.userId } })).toMatchObject({ mfaEnabled: true, backupCodesEnabled: true });
    const enrolled = await db.auditEvent.findFirstOrThrow({ where: { type: "mfa.enrolled", targetId: user.userId } });
    expect(enrolled.data).toMatchObject({ factor: "security_key", name: "YubiKey 5C" });
    expect(await db.outboxMessage.count({ where: { channel: "webhook", to: endpoint.id, template: "user.updated" } })).toBe(1);

    // Listed as a security key, not as a passkey; a second key keeps the backup codes and is excluded from nothing else.
    const status = await call(mfaStatusRoute, "/api/account/mfa", { jar: user.jar });
    expect(status.json).toMatchObject({ enabled: true, securityKey: { available: true, count: 1 } });
    expect((await call(passkeysRoute, "/api/account/passkeys", { jar: user.jar })).json.passkeys).toEqual([]);
    const second = await addKey(user.jar);
    expect(second.options.excludeCredentials.map((credential: { id: string }) => credential.id)).toEqual([row.credentialId]);
    expect(second.saved.json).toMatchObject({ securityKey: { name: "Security key" }, backupCodes: null });
    const listed = await call(listKeysRoute, "/api/account/mfa/security-keys", { jar: user.jar });
    expect(listed.json.securityKeys.map((key: { name: string }) => key.name)).toEqual(["YubiKey 5C", "Security key"]);
  });

  it("needs a recent verification; refuses a reused challenge, a wrong origin and a key already registered", async () => {
    const user = await signedUpUser();
    const sid = decodeJwtPayload(user.jar.values.get(SESSION_COOKIE)!).sid as string;
    const authenticator = new SoftwareAuthenticator();
    const { options, saved } = await addKey(user.jar, undefined, authenticator);
    expect(saved.status).toBe(200);
    const reused = await call(registerVerifyRoute, "/api/account/mfa/security-keys/register/verify", {
      body: { response: authenticator.register(options, { userVerified: false }) },
      jar: user.jar,
    });
    expect(reused.json.errors[0].code).toBe("verification_used");
    const again = await addKey(user.jar, undefined, authenticator);
    expect(again.saved.json.errors[0].code).toBe("conflict");
    const started = await call(registerOptionsRoute, "/api/account/mfa/security-keys/register/options", { body: {}, jar: user.jar });
    const evil = await call(registerVerifyRoute, "/api/account/mfa/security-keys/register/verify", {
      body: { response: new SoftwareAuthenticator().register(started.json.options, { origin: "https://evil.example" }) },
      jar: user.jar,
    });
    expect(evil.json.errors[0].code).toBe("invalid_credentials");

    await db.session.update({ where: { id: sid }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    const stale = await call(registerOptionsRoute, "/api/account/mfa/security-keys/register/options", { body: {}, jar: user.jar });
    expect(stale.status).toBe(403);
    expect(stale.json.errors[0].code).toBe("reverification_required");
    expect(await db.mfaFactor.count({ where: { userId: user.userId } })).toBe(1);
  });
});

describe("signing in with a security key as the second factor", () => {
  it("password, then the key: allowCredentials are the user's keys, the session opens with secondFactor security_key", async () => {
    const { email, password, authenticator, key, userId } = await userWithKey();
    const { jar, attemptId, methods } = await passwordStep(email, password);
    expect(methods).toMatchObject({ securityKey: true, preferred: "security_key", totp: false, backupCode: true });
    const options = await keyChallenge(jar, attemptId);
    expect(options.allowCredentials?.map((credential) => credential.id)).toEqual([authenticator.id]);
    expect(options.userVerification).toBe("discouraged");
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);

    const done = await verifyWithKey(jar, attemptId, authenticator.authenticate(options, { userVerified: false }));
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(jar.values.get(SESSION_COOKIE)).toBeTruthy();
    expect(await db.signInAttempt.findUniqueOrThrow({ where: { id: attemptId } })).toMatchObject({ status: "complete", secondFactor: "security_key" });
    const factor = await db.mfaFactor.findUniqueOrThrow({ where: { id: key.id } });
    expect(factor.lastUsedAt).not.toBeNull();
    expect(Number(factor.counter)).toBe(authenticator.counter);
    const event = await db.auditEvent.findFirstOrThrow({ where: { type: "sign_in.succeeded", actorId: userId }, orderBy: { createdAt: "desc" } });
    expect(event.data).toMatchObject({ factor: "password", secondFactor: "security_key" });
  });

  it("defaults to the key only when it is the most recent factor", async () => {
    const user = await signedUpUser();
    const totp = await call(totpStartRoute, "/api/account/mfa/totp/start", { body: {}, jar: user.jar });
    await call(totpConfirmRoute, "/api/account/mfa/totp/confirm", {
      body: { factorId: totp.json.factorId, code: await totpCodeAt(totp.json.secret, new Date()) },
      jar: user.jar,
    });
    expect((await passwordStep(user.email, user.password)).methods).toMatchObject({ totp: true, securityKey: false, preferred: null });
    await addKey(user.jar);
    expect((await passwordStep(user.email, user.password)).methods).toMatchObject({ totp: true, securityKey: true, preferred: "security_key" });
  });

  it("refuses a replayed assertion and a challenge of another attempt; nothing opens", async () => {
    const { email, password, authenticator } = await userWithKey();
    const first = await passwordStep(email, password);
    const firstOptions = await keyChallenge(first.jar, first.attemptId);
    const response = authenticator.authenticate(firstOptions, { userVerified: false });

    // Attempt B answers with a signature over attempt A's challenge.
    const other = await passwordStep(email, password);
    await keyChallenge(other.jar, other.attemptId);
    const foreign = await verifyWithKey(other.jar, other.attemptId, response);
    expect(foreign.json.errors[0].code).toBe("verification_used");
    expect(other.jar.values.has(SESSION_COOKIE)).toBe(false);
    expect((await db.signInAttempt.findUniqueOrThrow({ where: { id: other.attemptId } })).status).toBe("needs_second_factor");

    // A's challenge is A's: that try did not spend it, so A may still use its answer, once.
    const done = await verifyWithKey(first.jar, first.attemptId, response);
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    const replayed = await verifyWithKey(first.jar, first.attemptId, response);
    expect(replayed.status).not.toBe(200);
    // Replayed on a fresh attempt (which asked for its own challenge): refused, nothing opens.
    const third = await passwordStep(email, password);
    await keyChallenge(third.jar, third.attemptId);
    const elsewhere = await verifyWithKey(third.jar, third.attemptId, response);
    expect(elsewhere.json.errors[0].code).toBe("verification_used");
    expect(third.jar.values.has(SESSION_COOKIE)).toBe(false);
    expect((await db.signInAttempt.findUniqueOrThrow({ where: { id: third.attemptId } })).secondFactorFailures).toBe(0);
  });

  it("refuses another user's key and an unknown key, counting them as failed second factors", async () => {
    const { email, password, userId } = await userWithKey();
    const stranger = await userWithKey();
    const { jar, attemptId } = await passwordStep(email, password);
    for (const wrong of [stranger.authenticator, new SoftwareAuthenticator()]) {
      const options = await keyChallenge(jar, attemptId);
      const refused = await verifyWithKey(jar, attemptId, wrong.authenticate(options, { userVerified: false }));
      expect(refused.status).toBe(422);
      expect(refused.json.errors[0].code).toBe("verification_incorrect");
    }
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
    expect((await db.signInAttempt.findUniqueOrThrow({ where: { id: attemptId } })).secondFactorFailures).toBe(2);
    const failed = await db.auditEvent.findMany({ where: { type: "second_factor.failed", targetId: userId } });
    expect(failed.map((event) => (event.data as { method: string }).method)).toEqual(["security_key", "security_key"]);
  });

  it(`${MAX_SECOND_FACTOR_FAILURES} failures void the attempt: the right key afterwards gets nothing`, async () => {
    const { email, password } = await userWithKey();
    const { jar, attemptId } = await passwordStep(email, password);
    const codes = [];
    for (let i = 0; i < MAX_SECOND_FACTOR_FAILURES; i++) {
      const options = await keyChallenge(jar, attemptId);
      codes.push((await verifyWithKey(jar, attemptId, new SoftwareAuthenticator().authenticate(options))).json.errors[0].code);
    }
    expect(codes).toEqual([...Array(MAX_SECOND_FACTOR_FAILURES - 1).fill("verification_incorrect"), "verification_voided"]);
    const late = await call(keySignInOptionsRoute, "/api/auth/mfa/security-key/options", { body: { attemptId }, jar });
    expect(late.status).not.toBe(200);
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
  });

  it("a cloned key (a counter that does not grow) is refused and audited", async () => {
    const { email, password, authenticator, userId } = await userWithKey();
    const first = await passwordStep(email, password);
    const options = await keyChallenge(first.jar, first.attemptId);
    expect((await verifyWithKey(first.jar, first.attemptId, authenticator.authenticate(options, { counter: 5 }))).status).toBe(200);
    const second = await passwordStep(email, password);
    const again = await keyChallenge(second.jar, second.attemptId);
    const cloned = await verifyWithKey(second.jar, second.attemptId, authenticator.authenticate(again, { counter: 5 }));
    expect(cloned.json.errors[0].code).toBe("verification_incorrect");
    expect(await db.auditEvent.count({ where: { type: "security_key.counter_regression", targetId: userId } })).toBe(1);
  });
});

describe("a security key is never a first factor", () => {
  it("discoverable passkey sign-in refuses it, even when the authenticator offers it", async () => {
    const { authenticator, jar: account } = await userWithKey();
    const jar = new CookieJar();
    const started = await call(passkeyOptionsRoute, "/api/auth/passkey/options", { body: {}, jar });
    expect(started.status).toBe(200);
    // The software authenticator returns the user handle too, as a key holding a resident credential would.
    const refused = await call(passkeyVerifyRoute, "/api/auth/passkey/verify", {
      body: { attemptId: started.json.attemptId, response: authenticator.authenticate(started.json.options) },
      jar,
    });
    expect(refused.status).toBe(401);
    expect(refused.json.errors[0].code).toBe("invalid_credentials");
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
    expect((await call(passkeysRoute, "/api/account/passkeys", { jar: account })).json.passkeys).toEqual([]);
  });
});

describe("managing security keys", () => {
  it("rename is audited; removing the last key (after step-up by the key itself) turns MFA off as removing TOTP does", async () => {
    const { jar, key, authenticator, userId } = await userWithKey();
    const renamed = await call(renameRoute, "/api/account/mfa/security-keys/rename", { body: { securityKeyId: key.id, name: "  Keychain key " }, jar });
    expect(renamed.json.securityKey).toMatchObject({ id: key.id, name: "Keychain key" });
    expect(await db.auditEvent.count({ where: { type: "mfa.renamed", targetId: userId } })).toBe(1);
    const blank = await call(renameRoute, "/api/account/mfa/security-keys/rename", { body: { securityKeyId: key.id, name: " " }, jar });
    expect(blank.status).toBe(400);
    expect(blank.json.errors[0]).toMatchObject({ field: "name" });

    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    await db.session.update({ where: { id: sid }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    const stale = await call(removeRoute, "/api/account/mfa/security-keys/remove", { body: { securityKeyId: key.id }, jar });
    expect(stale.json.errors[0].code).toBe("reverification_required");

    expect((await call(reverifyMethodsRoute, "/api/auth/reverify", { jar })).json).toMatchObject({ securityKey: true });
    const options = await call(reverifyKeyOptionsRoute, "/api/auth/reverify/security-key/options", { body: {}, jar });
    expect(options.json.options.allowCredentials.map((credential: { id: string }) => credential.id)).toEqual([authenticator.id]);
    const wrong = await call(reverifyRoute, "/api/auth/reverify", {
      body: { method: "security_key", response: new SoftwareAuthenticator().authenticate(options.json.options) },
      jar,
    });
    expect(wrong.status).toBe(422);
    const fresh = await call(reverifyKeyOptionsRoute, "/api/auth/reverify/security-key/options", { body: {}, jar });
    const confirmed = await call(reverifyRoute, "/api/auth/reverify", {
      body: { method: "security_key", response: authenticator.authenticate(fresh.json.options) },
      jar,
    });
    expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);

    const removed = await call(removeRoute, "/api/account/mfa/security-keys/remove", { body: { securityKeyId: key.id }, jar });
    expect(removed.json).toEqual({ mfaStillOn: false });
    expect(await db.user.findUniqueOrThrow({ where: { id: userId } })).toMatchObject({ mfaEnabled: false, backupCodesEnabled: false });
    expect(await db.backupCode.count({ where: { userId } })).toBe(0);
    const disabled = await db.auditEvent.findFirstOrThrow({ where: { type: "mfa.disabled", targetId: userId } });
    expect(disabled.data).toMatchObject({ factor: "security_key", factorId: key.id, mfaStillOn: false });
    const gone = await call(removeRoute, "/api/account/mfa/security-keys/remove", { body: { securityKeyId: key.id }, jar });
    expect(gone.status).toBe(404);
  });

  it("another user's key can be neither renamed nor removed", async () => {
    const owner = await userWithKey();
    const other = await signedUpUser();
    expect((await call(renameRoute, "/api/account/mfa/security-keys/rename", { body: { securityKeyId: owner.key.id, name: "Mine" }, jar: other.jar })).status).toBe(404);
    expect((await call(removeRoute, "/api/account/mfa/security-keys/remove", { body: { securityKeyId: owner.key.id }, jar: other.jar })).status).toBe(404);
    expect(await db.mfaFactor.count({ where: { id: owner.key.id } })).toBe(1);
  });
});

describe("the instance setting (securityKeySecondFactor)", () => {
  it("off refuses new keys; keys already added keep signing in and can be removed", async () => {
    const { email, password, authenticator, jar: account, key } = await userWithKey();
    await setSettings({ securityKeySecondFactor: false });
    const refused = await call(registerOptionsRoute, "/api/account/mfa/security-keys/register/options", { body: {}, jar: account });
    expect(refused.status).toBe(403);
    expect((await call(mfaStatusRoute, "/api/account/mfa", { jar: account })).json.securityKey).toEqual({ available: false, count: 1 });

    const { jar, attemptId, methods } = await passwordStep(email, password);
    expect(methods).toMatchObject({ securityKey: true });
    const options = await keyChallenge(jar, attemptId);
    expect((await verifyWithKey(jar, attemptId, authenticator.authenticate(options))).status).toBe(200);
    expect((await call(removeRoute, "/api/account/mfa/security-keys/remove", { body: { securityKeyId: key.id }, jar: account })).status).toBe(200);
  });
});
