import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { setRateLimitStore } from "@/lib/ratelimit";
import { readInstanceSettings, updateInstanceSettings } from "@/lib/settings";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, makeRequest } from "@/test/http";
import { GET as listRoute } from "@/app/api/account/phones/route";
import { POST as addRoute } from "@/app/api/account/phones/add/route";
import { POST as verifyRoute } from "@/app/api/account/phones/verify/route";
import { POST as resendRoute } from "@/app/api/account/phones/resend/route";
import { POST as removeRoute } from "@/app/api/account/phones/remove/route";
import { POST as primaryRoute } from "@/app/api/account/phones/primary/route";
import { POST as phoneSendRoute } from "@/app/api/auth/phone/send/route";
import { POST as phoneVerifyRoute } from "@/app/api/auth/phone/verify-code/route";
import { LAST_WAY_IN_MESSAGE } from "./phone-numbers";
import { steadyMemoryStore } from "@/test/rate-limit";

type Route = (request: never) => Promise<Response>;
type Listed = { id: string; phone: string; verified: boolean; primary: boolean; secondFactor: boolean };

async function call(route: Route, path: string, body: unknown, jar: CookieJar) {
  const response = await route(makeRequest(path, { body, jar }) as never);
  jar.absorb(response);
  return { status: response.status, json: await response.json() };
}

async function list(jar: CookieJar): Promise<Listed[]> {
  const response = await listRoute(makeRequest("/api/account/phones", { jar }));
  expect(response.status).toBe(200);
  return ((await response.json()) as { phoneNumbers: Listed[] }).phoneNumbers;
}

const newPhone = () => `+447400${String(Math.floor(Math.random() * 900000) + 100000)}`;

async function smsCode(phone: string): Promise<string> {
  const row = await db.outboxMessage.findFirstOrThrow({ where: { channel: "sms", to: phone }, orderBy: { createdAt: "desc" } });
  return (row.payload as { preview: { code: string } }).preview.code;
}

async function addAndVerify(jar: CookieJar, phone: string): Promise<Listed> {
  const added = await call(addRoute, "/api/account/phones/add", { phone }, jar);
  expect(added.status, JSON.stringify(added.json)).toBe(200);
  const verified = await call(verifyRoute, "/api/account/phones/verify", { phoneNumberId: added.json.phoneNumber.id, code: await smsCode(phone) }, jar);
  expect(verified.status, JSON.stringify(verified.json)).toBe(200);
  return verified.json.phoneNumber;
}

beforeEach(async () => {
  setRateLimitStore(steadyMemoryStore());
  await updateInstanceSettings(
    { identifiers: { email: true, phone: true, username: false } },
    { expectedVersion: (await readInstanceSettings()).version },
  );
});

describe("phone numbers on the account page (issue 19, S7)", () => {
  it("adds a number, verifies it by SMS code (it becomes primary), and it then signs in", async () => {
    const { jar, userId } = await signedUpUser();
    const phone = newPhone();
    const added = await call(addRoute, "/api/account/phones/add", { phone: phone.replace("+44", "0044 ") }, jar);
    expect(added.status, JSON.stringify(added.json)).toBe(200);
    expect(added.json).toMatchObject({ phoneNumber: { phone, verified: false, primary: false }, resendAfter: 30 });
    const id = added.json.phoneNumber.id as string;

    // Not primary while unverified; a wrong code is refused with the tries left.
    expect((await call(primaryRoute, "/api/account/phones/primary", { phoneNumberId: id }, jar)).status).toBe(409);
    const code = await smsCode(phone);
    const wrong = await call(verifyRoute, "/api/account/phones/verify", { phoneNumberId: id, code: code === "000000" ? "111111" : "000000" }, jar);
    expect(wrong.status).toBe(422);
    const verified = await call(verifyRoute, "/api/account/phones/verify", { phoneNumberId: id, code }, jar);
    expect(verified.status).toBe(200);
    expect(await list(jar)).toEqual([expect.objectContaining({ id, phone, verified: true, primary: true, secondFactor: false })]);
    expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).primaryPhoneNumberId).toBe(id);
    expect(await db.auditEvent.count({ where: { type: "phone.added", targetId: id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { type: "phone.verified", targetId: id } })).toBe(1);

    const browser = new CookieJar();
    const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_in" }, browser);
    const done = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: await smsCode(phone) }, browser);
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(browser.values.get(SESSION_COOKIE)).toBeTruthy();
  });

  it("is refused while phone numbers are off", async () => {
    const { jar } = await signedUpUser();
    await updateInstanceSettings(
      { identifiers: { email: true, phone: false, username: false } },
      { expectedVersion: (await readInstanceSettings()).version },
    );
    expect((await call(addRoute, "/api/account/phones/add", { phone: newPhone() }, jar)).status).toBe(403);
  });

  it("a number someone else verified: adding answers as usual, verifying says it is in use; it never moves", async () => {
    const owner = await signedUpUser();
    const phone = newPhone();
    await addAndVerify(owner.jar, phone);
    const other = await signedUpUser();
    await db.verification.updateMany({ where: { identifier: phone }, data: { lastSentAt: new Date(Date.now() - 60_000) } });
    const added = await call(addRoute, "/api/account/phones/add", { phone }, other.jar);
    expect(added.status).toBe(200);
    const taken = await call(verifyRoute, "/api/account/phones/verify", { phoneNumberId: added.json.phoneNumber.id, code: await smsCode(phone) }, other.jar);
    expect(taken.status).toBe(409);
    expect(taken.json.errors[0]).toMatchObject({ code: "phone_taken", field: "phone" });
    expect(await db.phoneNumber.findFirstOrThrow({ where: { phone, verified: true } })).toMatchObject({ userId: owner.userId });
  });

  it("an unverified row squats nothing: its number signs up elsewhere", async () => {
    const squatter = await signedUpUser();
    const phone = newPhone();
    expect((await call(addRoute, "/api/account/phones/add", { phone }, squatter.jar)).status).toBe(200);
    await db.verification.updateMany({ where: { identifier: phone }, data: { lastSentAt: new Date(Date.now() - 60_000) } });
    const browser = new CookieJar();
    const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_up" }, browser);
    const done = await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: await smsCode(phone) }, browser);
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(await db.phoneNumber.count({ where: { phone } })).toBe(2);
    expect((await db.phoneNumber.findFirstOrThrow({ where: { phone, verified: true } })).userId).not.toBe(squatter.userId);
  });

  it("never removes the last way in; with another number or an address left it does, and the primary moves on", async () => {
    // A phone-only account (signed up by phone): its one number is its only way in.
    const browser = new CookieJar();
    const phone = newPhone();
    const sent = await call(phoneSendRoute, "/api/auth/phone/send", { phone, intent: "sign_up" }, browser);
    await call(phoneVerifyRoute, "/api/auth/phone/verify-code", { attemptId: sent.json.attemptId, code: await smsCode(phone) }, browser);
    const [only] = await list(browser);
    const refused = await call(removeRoute, "/api/account/phones/remove", { phoneNumberId: only!.id }, browser);
    expect(refused.status).toBe(409);
    expect(refused.json.errors[0].message).toBe(LAST_WAY_IN_MESSAGE);

    const second = await addAndVerify(browser, newPhone());
    expect(second.primary).toBe(false);
    const removed = await call(removeRoute, "/api/account/phones/remove", { phoneNumberId: only!.id }, browser);
    expect(removed.status).toBe(200);
    expect(await list(browser)).toEqual([expect.objectContaining({ id: second.id, primary: true })]);
    expect(await db.auditEvent.count({ where: { type: "phone.removed", targetId: only!.id } })).toBe(1);

    // An email account may remove its only number: the address is still a way in.
    const user = await signedUpUser();
    const number = await addAndVerify(user.jar, newPhone());
    expect((await call(removeRoute, "/api/account/phones/remove", { phoneNumberId: number.id }, user.jar)).status).toBe(200);
    expect(await list(user.jar)).toEqual([]);
  });

  it("keeps the number of the SMS second factor until that is turned off", async () => {
    const { jar, userId } = await signedUpUser();
    const number = await addAndVerify(jar, newPhone());
    await db.mfaFactor.create({ data: { id: `mfa_${Date.now()}`, userId, type: "sms", phoneNumberId: number.id, confirmedAt: new Date() } });
    expect((await list(jar))[0]).toMatchObject({ secondFactor: true });
    expect((await call(removeRoute, "/api/account/phones/remove", { phoneNumberId: number.id }, jar)).status).toBe(409);
  });

  it("resends a code for an unverified number after the cooldown only; another user's number is not found", async () => {
    const { jar } = await signedUpUser();
    const added = await call(addRoute, "/api/account/phones/add", { phone: newPhone() }, jar);
    const id = added.json.phoneNumber.id as string;
    expect((await call(resendRoute, "/api/account/phones/resend", { phoneNumberId: id }, jar)).status).toBe(429);
    const other = await signedUpUser();
    expect((await call(resendRoute, "/api/account/phones/resend", { phoneNumberId: id }, other.jar)).status).toBe(404);
    expect((await call(removeRoute, "/api/account/phones/remove", { phoneNumberId: id }, other.jar)).status).toBe(404);
  });
});
