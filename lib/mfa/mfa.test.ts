import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { setRateLimitStore } from "@/lib/ratelimit";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, decodeJwtPayload, makeRequest } from "@/test/http";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as sendEmailRoute } from "@/app/api/auth/email/send/route";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import { POST as resetSendRoute } from "@/app/api/auth/password-reset/send/route";
import { POST as resetCompleteRoute } from "@/app/api/auth/password-reset/complete/route";
import { POST as mfaVerifyRoute } from "@/app/api/auth/mfa/verify/route";
import { POST as totpStartRoute } from "@/app/api/account/mfa/totp/start/route";
import { POST as totpConfirmRoute } from "@/app/api/account/mfa/totp/confirm/route";
import { POST as totpDisableRoute } from "@/app/api/account/mfa/totp/disable/route";
import { POST as backupCodesRoute } from "@/app/api/account/mfa/backup-codes/route";
import { GET as mfaStatusRoute } from "@/app/api/account/mfa/route";
import { POST as reverifyRoute } from "@/app/api/auth/reverify/route";
import { POST as passwordRoute } from "@/app/api/account/password/route";
import { getMfaStatus, resetMfa } from "./factors";
import { totpCodeAt } from "./totp";
import { steadyMemoryStore } from "@/test/rate-limit";

type Route = (request: never) => Promise<Response>;

async function call(route: Route, path: string, options: { body?: unknown; jar?: CookieJar; method?: string } = {}) {
  const response = await route(makeRequest(path, { body: options.body, jar: options.jar, method: options.method }) as never);
  options.jar?.absorb(response);
  return { status: response.status, json: await response.json() };
}

beforeEach(() => setRateLimitStore(steadyMemoryStore()));

/** A signed-up user who turned on TOTP through the account API; returns the secret (what the phone holds). */
async function userWithTotp() {
  const user = await signedUpUser();
  const started = await call(totpStartRoute, "/api/account/mfa/totp/start", { body: {}, jar: user.jar });
  expect(started.status, JSON.stringify(started.json)).toBe(200);
  expect(started.json.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  expect(started.json.uri).toContain(`secret=${started.json.secret}`);
  // Enrolling takes the current step; sign-ins in these tests use the next ones (no replay).
  const code = await totpCodeAt(started.json.secret, new Date());
  const confirmed = await call(totpConfirmRoute, "/api/account/mfa/totp/confirm", {
    body: { factorId: started.json.factorId, code },
    jar: user.jar,
  });
  expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);
  return { ...user, secret: started.json.secret as string, backupCodes: confirmed.json.backupCodes as string[] };
}

const inSteps = (steps: number) => new Date(Date.now() + steps * 30_000);

async function passwordStep(email: string, password: string, jar = new CookieJar()) {
  const first = await call(signInRoute, "/api/auth/sign-in", { body: { email, password }, jar });
  return { jar, first };
}

describe("TOTP enrolment (S6)", () => {
  it("is on only after a code confirms it; the seed is encrypted at rest; 10 backup codes come once", async () => {
    const { userId, secret, backupCodes, jar } = await userWithTotp();
    expect(backupCodes).toHaveLength(10);
    expect(new Set(backupCodes).size).toBe(10);
    const factor = await db.mfaFactor.findFirstOrThrow({ where: { userId, type: "totp" } });
    expect(factor.confirmedAt).not.toBeNull();
    expect(factor.secretEncrypted).not.toContain(secret);
    const stored = await db.backupCode.findMany({ where: { userId } });
    expect(stored.map((row) => row.codeHash)).not.toContain(backupCodes[0]);
    const status = await call(mfaStatusRoute, "/api/account/mfa", { jar });
    expect(status.json).toMatchObject({ enabled: true, totp: { enabled: true }, backupCodes: { remaining: 10, low: false } });
    expect(await db.auditEvent.count({ where: { type: "mfa.enrolled", targetId: userId } })).toBe(1);
  });

  it("a wrong code does not turn it on", async () => {
    const user = await signedUpUser();
    const started = await call(totpStartRoute, "/api/account/mfa/totp/start", { body: {}, jar: user.jar });
    const now = await totpCodeAt(started.json.secret, new Date());
    const wrong = now === "000000" ? "111111" : "000000";
    const refused = await call(totpConfirmRoute, "/api/account/mfa/totp/confirm", { body: { factorId: started.json.factorId, code: wrong }, jar: user.jar });
    expect(refused.status).toBe(422);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.userId } })).mfaEnabled).toBe(false);
  });
});

describe("the second-factor step (S6)", () => {
  it("password + TOTP signs in; the same code cannot be used twice", async () => {
    const { email, password, secret } = await userWithTotp();
    const { jar, first } = await passwordStep(email, password);
    expect(first.json).toMatchObject({
      status: "needs_second_factor",
      attemptId: expect.stringMatching(/^sia_/),
      methods: { totp: true, backupCode: true, sms: null },
    });
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
    const code = await totpCodeAt(secret, inSteps(1));
    const done = await call(mfaVerifyRoute, "/api/auth/mfa/verify", { body: { attemptId: first.json.attemptId, method: "totp", code }, jar });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(jar.values.get(SESSION_COOKIE)).toBeTruthy();

    // Replay: a second sign-in with the code that was just used is refused.
    const again = await passwordStep(email, password);
    const replay = await call(mfaVerifyRoute, "/api/auth/mfa/verify", {
      body: { attemptId: again.first.json.attemptId, method: "totp", code },
      jar: again.jar,
    });
    expect(replay.status).toBe(422);
    expect(again.jar.values.has(SESSION_COOKIE)).toBe(false);
  });

  it("a backup code works once; regenerating voids the old set; 3 or fewer left is 'low'", async () => {
    const { email, password, backupCodes, jar: account, userId } = await userWithTotp();
    const first = await passwordStep(email, password);
    const used = await call(mfaVerifyRoute, "/api/auth/mfa/verify", {
      body: { attemptId: first.first.json.attemptId, method: "backup_code", code: backupCodes[0]!.toUpperCase() },
      jar: first.jar,
    });
    expect(used.status).toBe(200);
    expect(await db.auditEvent.count({ where: { type: "backup_code.used", actorId: userId } })).toBe(1);
    const second = await passwordStep(email, password);
    const reused = await call(mfaVerifyRoute, "/api/auth/mfa/verify", {
      body: { attemptId: second.first.json.attemptId, method: "backup_code", code: backupCodes[0]! },
      jar: second.jar,
    });
    expect(reused.status).toBe(422);

    const regenerated = await call(backupCodesRoute, "/api/account/mfa/backup-codes", { body: {}, jar: account });
    expect(regenerated.json.backupCodes).toHaveLength(10);
    const old = await call(mfaVerifyRoute, "/api/auth/mfa/verify", {
      body: { attemptId: second.first.json.attemptId, method: "backup_code", code: backupCodes[1]! },
      jar: second.jar,
    });
    expect(old.status).toBe(422);
    // Use 7 of the new 10: 3 left is "low".
    const rows = await db.backupCode.findMany({ where: { userId }, take: 7 });
    await db.backupCode.updateMany({ where: { id: { in: rows.map((row) => row.id) } }, data: { usedAt: new Date() } });
    const status = await call(mfaStatusRoute, "/api/account/mfa", { jar: account });
    expect(status.json.backupCodes).toMatchObject({ remaining: 3, low: true });
  });

  it("5 wrong codes void the attempt: the right code afterwards gets nothing", async () => {
    const { email, password, secret } = await userWithTotp();
    const { jar, first } = await passwordStep(email, password);
    const right = await totpCodeAt(secret, inSteps(1));
    const wrong = right === "000000" ? "111111" : "000000";
    const answers = [];
    for (let i = 0; i < 5; i++) {
      answers.push(
        (await call(mfaVerifyRoute, "/api/auth/mfa/verify", { body: { attemptId: first.json.attemptId, method: "totp", code: wrong }, jar })).json.errors[0].code,
      );
    }
    expect(answers).toEqual([...Array(4).fill("verification_incorrect"), "verification_voided"]);
    const late = await call(mfaVerifyRoute, "/api/auth/mfa/verify", { body: { attemptId: first.json.attemptId, method: "totp", code: right }, jar });
    expect(late.status).not.toBe(200);
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
  });

  it("20 concurrent submits of one valid code for one attempt open exactly one session", async () => {
    const { email, password, secret, userId } = await userWithTotp();
    const { jar, first } = await passwordStep(email, password);
    const before = await db.session.count({ where: { userId } });
    const code = await totpCodeAt(secret, inSteps(1));
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(mfaVerifyRoute, "/api/auth/mfa/verify", { body: { attemptId: first.json.attemptId, method: "totp", code }, jar }),
      ),
    );
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    expect(results.every((result) => result.status < 500)).toBe(true);
    expect(await db.session.count({ where: { userId } })).toBe(before + 1);
  });

  it("is asked after a password reset and after a magic link too (no bypass)", async () => {
    const { email, secret } = await userWithTotp();
    await call(resetSendRoute, "/api/auth/password-reset/send", { body: { email } });
    const message = await db.outboxMessage.findFirstOrThrow({ where: { to: email, template: "password_reset" }, orderBy: { createdAt: "desc" } });
    const token = new URL((message.payload as { preview: { link: string } }).preview.link).searchParams.get("token");
    const jar = new CookieJar();
    const reset = await call(resetCompleteRoute, "/api/auth/password-reset/complete", { body: { token, password: "violet otters juggle quietly 77" }, jar });
    expect(reset.json).toMatchObject({ status: "needs_second_factor", methods: { totp: true } });
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);

    const browser = new CookieJar();
    await db.verification.updateMany({ where: { identifier: email }, data: { lastSentAt: new Date(Date.now() - 60_000) } });
    await call(sendEmailRoute, "/api/auth/email/send", { body: { email, intent: "sign_in" }, jar: browser });
    const link = await db.outboxMessage.findFirstOrThrow({ where: { to: email, template: "sign_in_code" }, orderBy: { createdAt: "desc" } });
    const linkToken = new URL((link.payload as { preview: { link: string } }).preview.link).searchParams.get("token");
    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token: linkToken }, jar: browser });
    expect(confirmed.json).toMatchObject({ status: "needs_second_factor", methods: { totp: true } });
    expect(browser.values.has(SESSION_COOKIE)).toBe(false);
    const done = await call(mfaVerifyRoute, "/api/auth/mfa/verify", {
      body: { attemptId: confirmed.json.attemptId, method: "totp", code: await totpCodeAt(secret, inSteps(1)) },
      jar: browser,
    });
    expect(done.status).toBe(200);
    expect(decodeJwtPayload(browser.values.get(SESSION_COOKIE)!).sub).toBeTruthy();
  });

  it("the pending attempt expires after 10 minutes", async () => {
    const { email, password, secret } = await userWithTotp();
    const { jar, first } = await passwordStep(email, password);
    await db.signInAttempt.update({ where: { id: first.json.attemptId }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    const late = await call(mfaVerifyRoute, "/api/auth/mfa/verify", {
      body: { attemptId: first.json.attemptId, method: "totp", code: await totpCodeAt(secret, inSteps(1)) },
      jar,
    });
    expect(late.status).toBe(410);
  });
});

describe("step-up: sensitive actions need a verification within 10 minutes (S6)", () => {
  it("asks again after 10 minutes, accepts the password or a code, then lets the action through", async () => {
    const { jar, secret, password, userId } = await userWithTotp();
    const sid = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    await db.session.update({ where: { id: sid }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
    const refused = await call(totpDisableRoute, "/api/account/mfa/totp/disable", { body: {}, jar });
    expect(refused.status).toBe(403);
    expect(refused.json.errors[0].code).toBe("reverification_required");
    const passwordChange = await call(passwordRoute, "/api/account/password", { body: { newPassword: "violet otters juggle quietly 77" }, jar });
    expect(passwordChange.json.errors[0].code).toBe("reverification_required");
    expect(await db.user.findUniqueOrThrow({ where: { id: userId } })).toMatchObject({ mfaEnabled: true });

    const wrong = await call(reverifyRoute, "/api/auth/reverify", { body: { method: "password", password: "not it at all 123" }, jar });
    expect(wrong.status).toBe(422);
    const byCode = await call(reverifyRoute, "/api/auth/reverify", { body: { method: "totp", code: await totpCodeAt(secret, inSteps(1)) }, jar });
    expect(byCode.status, JSON.stringify(byCode.json)).toBe(200);
    expect((await call(totpDisableRoute, "/api/account/mfa/totp/disable", { body: {}, jar })).status).toBe(200);
    expect(await db.user.findUniqueOrThrow({ where: { id: userId } })).toMatchObject({ mfaEnabled: false, totpEnabled: false });
    expect(await db.backupCode.count({ where: { userId } })).toBe(0);
    expect(await db.auditEvent.count({ where: { type: "session.reverified", targetId: sid } })).toBe(1);
    // With the current password no step-up is needed.
    const changed = await call(passwordRoute, "/api/account/password", {
      body: { currentPassword: password, newPassword: "violet otters juggle quietly 77", signOutOtherDevices: true },
      jar,
    });
    expect(changed.status, JSON.stringify(changed.json)).toBe(200);
  });

  it("admin reset removes every factor and backup code, audited with the admin", async () => {
    const { userId, email, password } = await userWithTotp();
    await resetMfa(userId, { actorId: "user_admin" });
    expect(await db.mfaFactor.count({ where: { userId } })).toBe(0);
    expect(await db.backupCode.count({ where: { userId } })).toBe(0);
    expect(await db.auditEvent.findFirstOrThrow({ where: { type: "mfa.reset", targetId: userId } })).toMatchObject({ actorId: "user_admin" });
    const { first } = await passwordStep(email, password);
    expect(first.json.status).toBe("complete");
  });
});

describe("text-message codes (S6, off by default)", () => {
  const smsCode = async (phone: string) => {
    const row = await db.outboxMessage.findFirstOrThrow({ where: { channel: "sms", to: phone }, orderBy: { createdAt: "desc" } });
    return (row.payload as { preview: { code: string } }).preview.code;
  };

  it("refuses to enrol while the instance has SMS off; on, the number is verified by SMS and signs in by SMS", async () => {
    const { POST: smsStartRoute } = await import("@/app/api/account/mfa/sms/start/route");
    const { POST: smsConfirmRoute } = await import("@/app/api/account/mfa/sms/confirm/route");
    const { POST: smsSendRoute } = await import("@/app/api/auth/mfa/sms/send/route");
    const { readInstanceSettings, updateInstanceSettings } = await import("@/lib/settings");
    const user = await signedUpUser();
    // 07400 is a UK mobile range (libphonenumber refuses unallocated ones).
    const phone = `+447400${String(Math.floor(Math.random() * 900000) + 100000)}`;
    const off = await call(smsStartRoute, "/api/account/mfa/sms/start", { body: { phone }, jar: user.jar });
    expect(off.status).toBe(403);

    await updateInstanceSettings({ smsSecondFactor: true }, { expectedVersion: (await readInstanceSettings()).version });
    const bad = await call(smsStartRoute, "/api/account/mfa/sms/start", { body: { phone: "12ab" }, jar: user.jar });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].field).toBe("phone");
    const started = await call(smsStartRoute, "/api/account/mfa/sms/start", { body: { phone: phone.replace("+44", "0044 ") }, jar: user.jar });
    expect(started.json).toMatchObject({ status: "sent", phoneHint: expect.stringMatching(/•+ \d{4}$/) });
    const confirmed = await call(smsConfirmRoute, "/api/account/mfa/sms/confirm", { body: { code: await smsCode(phone) }, jar: user.jar });
    expect(confirmed.status, JSON.stringify(confirmed.json)).toBe(200);
    expect(confirmed.json.backupCodes).toHaveLength(10);
    expect(await db.phoneNumber.findFirstOrThrow({ where: { phone } })).toMatchObject({ verified: true, userId: user.userId });
    // The account page shows the masked number, as the sign-in step does.
    expect((await getMfaStatus(user.userId)).sms).toMatchObject({ available: true, enabled: true, phoneHint: `•••• ${phone.slice(-4)}` });

    const { jar, first } = await passwordStep(user.email, user.password);
    expect(first.json.methods).toMatchObject({ totp: false, sms: { phoneHint: expect.any(String) } });
    await call(smsSendRoute, "/api/auth/mfa/sms/send", { body: { attemptId: first.json.attemptId }, jar });
    const done = await call(mfaVerifyRoute, "/api/auth/mfa/verify", {
      body: { attemptId: first.json.attemptId, method: "sms", code: await smsCode(phone) },
      jar,
    });
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(jar.values.get(SESSION_COOKIE)).toBeTruthy();
  });
});
