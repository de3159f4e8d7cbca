import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { budgetUsed, enforceRateLimit, RATE_LIMIT_RULES, setRateLimitStore } from "@/lib/ratelimit";
import { readInstanceSettings, updateInstanceSettings, type InstanceSettingsPatch } from "@/lib/settings";
import { solvedBotCheck } from "@/test/bot-check";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, makeRequest, STRONG_PASSWORD } from "@/test/http";
import { POST as phoneSendRoute } from "@/app/api/auth/phone/send/route";
import { POST as phoneVerifyRoute } from "@/app/api/auth/phone/verify-code/route";
import { POST as emailSendRoute } from "@/app/api/auth/email/send/route";
import { POST as emailVerifyRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as resetSendRoute } from "@/app/api/auth/password-reset/send/route";
import { POST as resetVerifyRoute } from "@/app/api/auth/password-reset/verify/route";
import { POST as resetCompleteRoute } from "@/app/api/auth/password-reset/complete/route";
import { steadyMemoryStore } from "@/test/rate-limit";

type Route = (request: never) => Promise<Response>;

async function call(route: Route, path: string, body: unknown, jar = new CookieJar(), headers?: Record<string, string>) {
  const response = await route(makeRequest(path, { body, jar, headers }) as never);
  jar.absorb(response);
  return { status: response.status, json: await response.json(), jar };
}

/** A UK mobile number nobody else in this file uses (07400 is an allocated mobile range). */
const newPhone = () => `+447400${String(Math.floor(Math.random() * 900000) + 100000)}`;

/** The code of the newest text to `phone`, as its owner reads it (the pending outbox row keeps its preview). */
async function smsTo(phone: string) {
  const row = await db.outboxMessage.findFirst({ where: { channel: "sms", to: phone }, orderBy: { createdAt: "desc" } });
  return row ? { template: row.template, code: (row.payload as { preview?: { code: string } }).preview?.code ?? null } : null;
}

async function setSettings(patch: InstanceSettingsPatch) {
  await updateInstanceSettings(patch, { expectedVersion: (await readInstanceSettings()).version });
}

const phoneOn = () => setSettings({ identifiers: { email: true, phone: true, username: false } });

/** Sign-up by phone through the routes; returns the jar (signed in) and the new user's id. */
async function signedUpByPhone(phone = newPhone(), extra: Record<string, unknown> = {}) {
  const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_up", firstName: "Pat", ...extra });
  expect(sent.status, JSON.stringify(sent.json)).toBe(200);
  const sms = await smsTo(phone);
  expect(sms?.template).toBe("sign_up_code");
  const done = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: sms!.code }, sent.jar);
  expect(done.status, JSON.stringify(done.json)).toBe(200);
  const row = await db.phoneNumber.findFirstOrThrow({ where: { phone, verified: true } });
  return { phone, jar: sent.jar, userId: row.userId };
}

beforeEach(async () => {
  setRateLimitStore(steadyMemoryStore());
  await setSettings({ identifiers: { email: true, phone: false, username: false } });
});

describe("phone numbers as an identifier (issue 19)", () => {
  it("is off by default: sending a code by phone is refused with a field error", async () => {
    const refused = await call(phoneSendRoute, "/api/auth/phone/send", { phone: newPhone(), intent: "sign_in" });
    expect(refused.status).toBe(403);
    expect(refused.json.errors[0].field).toBe("phone");
    expect(await db.outboxMessage.count({ where: { channel: "sms" } })).toBe(0);
  });

  it("signs up with a phone number and its SMS code: a phone-only account with a verified primary number", async () => {
    await phoneOn();
    const { phone, jar, userId } = await signedUpByPhone();
    expect(jar.values.get(SESSION_COOKIE)).toBeTruthy();
    const user = await db.user.findUniqueOrThrow({ where: { id: userId }, include: { emailAddresses: true, phoneNumbers: true } });
    expect(user).toMatchObject({ firstName: "Pat", primaryEmailAddressId: null, passwordHash: null, role: "user" });
    expect(user.emailAddresses).toEqual([]);
    expect(user.phoneNumbers).toEqual([expect.objectContaining({ phone, verified: true, id: user.primaryPhoneNumberId })]);
    expect(await db.auditEvent.findFirstOrThrow({ where: { type: "user.created", targetId: userId } })).toMatchObject({
      data: expect.objectContaining({ method: "phone_code", phone: true }),
    });
  });

  it("normalizes what people type to E.164 and says what is wrong with a bad number", async () => {
    await phoneOn();
    const phone = newPhone();
    const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone: phone.replace("+44", "0044 "), intent: "sign_up" });
    expect(sent.status).toBe(200);
    expect((await smsTo(phone))?.code).toMatch(/^\d{6}$/);
    const bad = await call(phoneSendRoute, "/api/auth/phone/send", { phone: "12ab", intent: "sign_up" });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toMatchObject({ field: "phone" });
    const empty = await call(phoneSendRoute, "/api/auth/phone/send", { phone: "", intent: "sign_in" });
    expect(empty.status).toBe(400);
  });

  it("signs in with the number and an SMS code; the attempt completes only in the browser that asked", async () => {
    await phoneOn();
    const { phone } = await signedUpByPhone();
    const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in" });
    expect(sent.status).toBe(200);
    const sms = await smsTo(phone);
    expect(sms?.template).toBe("sign_in_code");
    const stranger = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: sms!.code });
    expect(stranger.status).toBe(404);
    const done = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: sms!.code }, sent.jar);
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(sent.jar.values.get(SESSION_COOKIE)).toBeTruthy();
    expect(await db.auditEvent.findFirstOrThrow({ where: { type: "sign_in.succeeded" }, orderBy: { createdAt: "desc" } })).toMatchObject({
      data: expect.objectContaining({ factor: "phone_code" }),
    });
    // Single use.
    const again = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: sms!.code }, sent.jar);
    expect(again.status).toBe(410);
  });

  it("answers an unknown number exactly like a known one, but texts nothing (S10)", async () => {
    await phoneOn();
    const { phone: known } = await signedUpByPhone();
    const unknown = newPhone();
    const a = await call(phoneSendRoute, "/api/auth/phone/send", { phone: known, intent: "sign_in" });
    const b = await call(phoneSendRoute, "/api/auth/phone/send", { phone: unknown, intent: "sign_in" });
    expect(a.status).toBe(b.status);
    expect(Object.keys(a.json).sort()).toEqual(Object.keys(b.json).sort());
    expect(b.json).toMatchObject({ status: "sent", resendAfter: 30 });
    expect(await smsTo(unknown)).toBeNull();
    // No code exists for the unknown number: any code is "incorrect".
    const guess = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: b.json.attemptId, code: "123456" }, b.jar);
    expect(guess.status).toBe(422);
  });

  it("a sign-up for a number that has an account answers the same and texts its owner, without a code", async () => {
    await phoneOn();
    const { phone } = await signedUpByPhone();
    // Past the 30 s resend cooldown of the first sign-up.
    await db.verification.updateMany({ where: { identifier: phone }, data: { lastSentAt: new Date(Date.now() - 60_000) } });
    const again = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_up" });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: "sent", resendAfter: 30 });
    expect(await smsTo(phone)).toEqual({ template: "account_exists", code: null });
    expect(await db.phoneNumber.count({ where: { phone } })).toBe(1);
  });

  it("has the email code's limits: 30 s cooldown, 5 wrong tries per code, then void", async () => {
    await phoneOn();
    const { phone } = await signedUpByPhone();
    const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in" });
    const tooSoon = await call(phoneSendRoute, "/api/auth/phone/send", { attemptId: sent.json.attemptId }, sent.jar);
    expect(tooSoon.status).toBe(429);
    const code = (await smsTo(phone))!.code!;
    const wrong = code === "000000" ? "111111" : "000000";
    for (let left = 4; left >= 1; left--) {
      const response = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: wrong }, sent.jar);
      expect(response.status).toBe(422);
      expect(response.json.errors[0].message).toContain(`${left} ${left === 1 ? "try" : "tries"} left`);
    }
    const fifth = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: wrong }, sent.jar);
    expect(fifth.status).toBe(410);
    const right = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code }, sent.jar);
    expect(right.status).toBe(410);
  });

  it("texts per number and per IP are budgeted (S10, SMS pumping)", async () => {
    await phoneOn();
    // Each send from a fresh number costs the IP: the 11th within 10 minutes is refused.
    const ip = { "x-forwarded-for": "203.0.113.77" };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await call(phoneSendRoute, "/api/auth/phone/send", { phone: newPhone(), intent: "sign_in" }, undefined, ip)).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
  });

  it("an email attempt never completes by the phone route, nor a phone attempt by the email route", async () => {
    await phoneOn();
    const { phone } = await signedUpByPhone();
    const byPhone = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in" });
    const code = (await smsTo(phone))!.code!;
    const viaEmail = await call(emailVerifyRoute, "/api/auth/email/verify-code", { attemptId: byPhone.json.attemptId, code }, byPhone.jar);
    expect(viaEmail.status).toBe(404);
    const resendAsEmail = await call(emailSendRoute, "/api/auth/email/send", { attemptId: byPhone.json.attemptId }, byPhone.jar);
    expect(resendAsEmail.status).toBe(404);

    const { email } = await signedUpUser();
    const byEmail = await call(emailSendRoute, "/api/auth/email/send", { email, intent: "sign_in" });
    const viaPhone = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: byEmail.json.attemptId, code: "123456" }, byEmail.jar);
    expect(viaPhone.status).toBe(404);
  });

  it("an account with two-step verification still needs its second factor after the SMS code", async () => {
    await phoneOn();
    const { phone, userId } = await signedUpByPhone();
    await db.user.update({ where: { id: userId }, data: { mfaEnabled: true, totpEnabled: true } });
    const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in" });
    const done = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: (await smsTo(phone))!.code }, sent.jar);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ status: "needs_second_factor", attemptId: sent.json.attemptId });
    expect(sent.jar.values.get(SESSION_COOKIE)).toBeFalsy();
  });

  it("phone sign-up is refused while sign-ups are restricted (the allowlist names email addresses)", async () => {
    await setSettings({ identifiers: { email: true, phone: true, username: false }, signUpMode: "restricted" });
    const refused = await call(phoneSendRoute, "/api/auth/phone/send", { phone: newPhone(), intent: "sign_up" });
    expect(refused.status).toBe(403);
    await setSettings({ signUpMode: "public" });
  });
});

describe("password reset by SMS (issue 19, S3)", () => {
  it("texts a code to a verified number, sets the password, signs in, and the number + password then signs in", async () => {
    await phoneOn();
    const { phone } = await signedUpByPhone();
    const sent = await call(resetSendRoute, "/api/auth/password-reset/send", { phone });
    expect(sent.status, JSON.stringify(sent.json)).toBe(200);
    const sms = await smsTo(phone);
    expect(sms?.template).toBe("password_reset");
    const verified = await call(resetVerifyRoute, "/api/auth/password-reset/verify", { resetId: sent.json.resetId, code: sms!.code });
    expect(verified.status, JSON.stringify(verified.json)).toBe(200);
    const complete = await call(resetCompleteRoute, "/api/auth/password-reset/complete", {
      token: verified.json.token,
      password: STRONG_PASSWORD,
      signOutOtherDevices: false,
    });
    expect(complete.status, JSON.stringify(complete.json)).toBe(200);
    expect(complete.jar.values.get(SESSION_COOKIE)).toBeTruthy();

    const signedIn = await call(signInRoute, "/api/auth/sign-in", { phone, password: STRONG_PASSWORD });
    expect(signedIn.status, JSON.stringify(signedIn.json)).toBe(200);
    const wrong = await call(signInRoute, "/api/auth/sign-in", { phone, password: "not the password at all" });
    expect(wrong.status).toBe(401);
    expect(wrong.json.errors[0].message).toBe("Phone number or password is incorrect.");
  });

  it("answers the same for an unknown number and texts nothing", async () => {
    await phoneOn();
    const unknown = newPhone();
    const sent = await call(resetSendRoute, "/api/auth/password-reset/send", { phone: unknown });
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ status: "sent", resendAfter: 30 });
    expect(await smsTo(unknown)).toBeNull();
  });

  it("refuses both an email and a phone in one request, and a phone while phones are off", async () => {
    const both = await call(resetSendRoute, "/api/auth/password-reset/send", { email: "a@example.com", phone: newPhone() });
    expect(both.status).toBe(400);
    const off = await call(resetSendRoute, "/api/auth/password-reset/send", { phone: newPhone() });
    expect(off.status).toBe(403);
  });
});

describe("username + password sign-in (issue 19)", () => {
  it("works only while usernames are on; an unknown username is the same generic error as a wrong password", async () => {
    const { userId, password } = await signedUpUser();
    const username = `user_${Math.random().toString(36).slice(2, 10)}`;
    await db.user.update({ where: { id: userId }, data: { username } });
    const off = await call(signInRoute, "/api/auth/sign-in", { username, password });
    expect(off.status).toBe(403);

    await setSettings({ identifiers: { email: true, phone: false, username: true } });
    const ok = await call(signInRoute, "/api/auth/sign-in", { username: username.toUpperCase(), password });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json.userId).toBe(userId);
    const wrong = await call(signInRoute, "/api/auth/sign-in", { username, password: "not the password at all" });
    const unknown = await call(signInRoute, "/api/auth/sign-in", { username: "nobody_here_at_all", password });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.json.errors[0].message).toBe(wrong.json.errors[0].message);
    // Exactly one identifier.
    const two = await call(signInRoute, "/api/auth/sign-in", { username, email: "a@example.com", password });
    expect(two.status).toBe(400);
  });
});

describe("the identifiers setting", () => {
  it("keeps email or phone on", async () => {
    await expect(setSettings({ identifiers: { email: false, phone: false, username: true } })).rejects.toMatchObject({
      code: "validation_failed",
      fields: { identifiers: [expect.stringContaining("email or phone")] },
    });
    expect((await readInstanceSettings()).settings.identifiers).toEqual({ email: true, phone: false, username: false });
  });
});

describe("bot protection on the phone flows (S10, issue 19)", () => {
  async function refusals(reason: string, action: string): Promise<number> {
    const rows = await db.auditEvent.findMany({ where: { type: "bot.refused" } });
    return rows.filter((row) => {
      const data = row.data as { reason?: string; action?: string };
      return data.reason === reason && data.action === action;
    }).length;
  }

  let ipCounter = 0;
  const freshIp = () => ({ "x-forwarded-for": `198.51.100.${++ipCounter % 250}` });

  beforeAll(async () => {
    // On, as on a fresh install (the unit suite's default is off); "low" keeps each solve near 0.2 s.
    await setSettings({ botProtection: true, botChallengeDifficulty: "low", botChallengeSignIn: "risk" });
  });
  afterAll(() => setSettings({ botProtection: false }));
  beforeEach(() => phoneOn());

  it("a phone sign-up needs a solved check: without one 428 (audited, nothing written, nothing texted), with one a code", async () => {
    const phone = newPhone();
    const refused = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_up" }, undefined, freshIp());
    expect(refused.status).toBe(428);
    expect(refused.json.errors[0].code).toBe("bot_challenge_required");
    expect(await refusals("challenge_missing", "sign_up")).toBeGreaterThan(0);
    expect(await db.signUpAttempt.count({ where: { phoneNumber: phone } })).toBe(0);
    expect(await smsTo(phone)).toBeNull();

    const { userId } = await signedUpByPhone(phone, { botSolution: await solvedBotCheck() });
    expect(userId).toBeTruthy();
  });

  it("a filled honeypot gets the usual answer on sign-up and sign-in sends, with no attempt and no text", async () => {
    const phone = newPhone();
    for (const intent of ["sign_up", "sign_in"] as const) {
      const quiet = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent, honeypot: "filled by a script", botSolution: await solvedBotCheck() });
      expect(quiet.status).toBe(200);
      expect(quiet.json).toMatchObject({ status: "sent", attemptId: expect.any(String), resendAfter: 30 });
      expect(await refusals("honeypot", intent)).toBeGreaterThan(0);
    }
    expect(await db.signUpAttempt.count({ where: { phoneNumber: phone } })).toBe(0);
    expect(await db.signInAttempt.count({ where: { identifier: phone } })).toBe(0);
    expect(await smsTo(phone)).toBeNull();
  });

  it("a sign-in code send needs a check only when the number's budget is two-thirds used, counted where the send counts it", async () => {
    const { phone } = await signedUpByPhone(newPhone(), { botSolution: await solvedBotCheck() });
    const first = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in" }, undefined, freshIp());
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    // The real send was counted under the key the risk signal reads; one more makes two of three.
    expect(await budgetUsed(RATE_LIMIT_RULES.sendPerIdentifier, `sign_in:${phone}`)).toEqual({ used: 1, limit: 3 });
    await enforceRateLimit(RATE_LIMIT_RULES.sendPerIdentifier, `sign_in:${phone}`);
    const risky = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in" }, undefined, freshIp());
    expect(risky.status).toBe(428);
    expect(await refusals("challenge_missing", "phone_code")).toBeGreaterThan(0);
    // With a solution the check passes; the 30 s cooldown of the first send then answers.
    const solved = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in", botSolution: await solvedBotCheck() }, undefined, freshIp());
    expect(solved.status).toBe(429);
  });

  it("wrong SMS codes from one client make its next SMS reset and code sends need a check", async () => {
    const ip = freshIp();
    const { phone } = await signedUpByPhone(newPhone(), { botSolution: await solvedBotCheck() });
    const other = newPhone();
    const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in" }, undefined, ip);
    const unknown = await call(phoneSendRoute, "/api/auth/phone/send", { phone: other, intent: "sign_in" }, undefined, ip);
    expect([sent.status, unknown.status]).toEqual([200, 200]);
    const code = (await smsTo(phone))!.code!;
    const wrong = code === "000000" ? "111111" : "000000";
    // Four wrong tries on one code (the fifth voids it) and one on another: five failures from this IP.
    for (let i = 0; i < 4; i++) {
      expect((await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: wrong }, sent.jar, ip)).status).toBe(422);
    }
    expect((await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: unknown.json.attemptId, code: wrong }, unknown.jar, ip)).status).toBe(422);

    const reset = await call(resetSendRoute, "/api/auth/password-reset/send", { phone }, undefined, ip);
    expect(reset.status).toBe(428);
    expect(await refusals("challenge_missing", "phone_password_reset")).toBeGreaterThan(0);
    expect(await smsTo(phone)).toMatchObject({ template: "sign_in_code" });
    const solved = await call(resetSendRoute, "/api/auth/password-reset/send", { phone, botSolution: await solvedBotCheck() }, undefined, ip);
    expect(solved.status, JSON.stringify(solved.json)).toBe(200);
    expect(await smsTo(phone)).toMatchObject({ template: "password_reset" });

    const third = newPhone();
    expect((await call(phoneSendRoute, "/api/auth/phone/send", { phone: third, intent: "sign_in" }, undefined, ip)).status).toBe(428);
    // Another client is not affected.
    expect((await call(phoneSendRoute, "/api/auth/phone/send", { phone: third, intent: "sign_in" }, undefined, freshIp())).status).toBe(200);
  });

  it("a phone + password sign-in with a filled honeypot gets the wrong-password answer", async () => {
    const before = await refusals("honeypot", "sign_in");
    const quiet = await call(signInRoute, "/api/auth/sign-in", { phone: newPhone(), password: STRONG_PASSWORD, honeypot: "x" }, undefined, freshIp());
    expect(quiet.status).toBe(401);
    expect(quiet.json.errors[0].message).toBe("Phone number or password is incorrect.");
    expect(await refusals("honeypot", "sign_in")).toBe(before + 1);
  });
});
