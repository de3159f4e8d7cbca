import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { extractCodeAndLink, useTestSmtp } from "@/lib/email/testing";
import { CookieJar, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { POST as sendRoute } from "@/app/api/auth/email/send/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import { GET as statusRoute } from "@/app/api/auth/email/status/route";
import { verifyEmailCode, inspectEmailLink, sendEmailCode } from "@/lib/sign-in";
import type { RequestContext } from "@/lib/session";

const settings = vi.hoisted(() => ({ overrides: {} as Record<string, unknown> }));
vi.mock("@/lib/settings", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/settings")>();
  return {
    ...original,
    getInstanceSettings: async () => ({ ...(await original.getInstanceSettings()), ...settings.overrides }),
  };
});
afterEach(() => {
  settings.overrides = {};
});

const mail = useTestSmtp();

async function call(
  route: (request: never) => Promise<Response>,
  path: string,
  options: { body?: unknown; jar?: CookieJar; method?: string } = {},
) {
  const response = await route(makeRequest(path, options) as never);
  options.jar?.absorb(response);
  return { response, status: response.status, json: await response.json() };
}

async function requestEmail(email: string, jar = new CookieJar(), intent: "sign_in" | "sign_up" = "sign_in") {
  const sent = await call(sendRoute, "/api/auth/email/send", { body: { email, intent, redirectUrl: "/after" }, jar });
  expect(sent.status).toBe(200);
  return { jar, attemptId: sent.json.attemptId as string, sent };
}

const tokenOf = (link: string) => new URL(link).searchParams.get("token")!;

describe("email code sign-in (S4)", () => {
  it("emails one message with a 6-digit code and a link; the code signs in once", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId, sent } = await requestEmail(email);
    expect(sent.json).toEqual({ status: "sent", attemptId: expect.stringMatching(/^sia_/), resendAfter: 30 });

    const message = await mail.deliver(email);
    const { code, link } = extractCodeAndLink(message);
    expect(code).toMatch(/^\d{6}$/);
    expect(link).toMatch(/^http:\/\/localhost:3000\/sign-in\/confirm\?token=[\w-]{43}$/);
    expect(message.html).toContain(code);
    // Stored hashed only.
    const verification = await db.verification.findFirstOrThrow({ where: { attemptId } });
    expect(verification.codeHash).not.toContain(code);
    expect(verification.linkTokenHash).not.toBe(tokenOf(link));

    const verified = await call(verifyCodeRoute, "/api/auth/email/verify-code", { body: { attemptId, code }, jar });
    expect(verified.status).toBe(200);
    expect(verified.json).toEqual({ status: "complete", redirectUrl: "/after" });
    const claims = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!);
    const user = await db.user.findFirstOrThrow({ where: { emailAddresses: { some: { emailNormalized: email } } } });
    expect(claims.sub).toBe(user.id);
    const attempt = await db.signInAttempt.findUniqueOrThrow({ where: { id: attemptId } });
    expect(attempt).toMatchObject({ status: "complete", firstFactor: "email_code", createdSessionId: claims.sid });

    const again = await call(verifyCodeRoute, "/api/auth/email/verify-code", { body: { attemptId, code }, jar });
    expect(again.status).toBe(410);
    expect(again.json.errors[0].code).toBe("verification_used");
    // The link from the same email is dead too: one email, one use.
    const viaLink = await call(confirmLinkRoute, "/api/auth/email/confirm-link", {
      body: { token: tokenOf(link) },
      jar,
    });
    expect(viaLink.json.errors[0].code).toBe("verification_used");
  });

  it("answers an unknown address exactly like a known one and sends nothing", async () => {
    const unknown = uniqueEmail("nobody");
    const known = (await signedUpUser()).email;
    const a = await requestEmail(unknown);
    const b = await requestEmail(known);
    expect(a.sent.status).toBe(b.sent.status);
    expect(Object.keys(a.sent.json).sort()).toEqual(Object.keys(b.sent.json).sort());
    expect({ ...a.sent.json, attemptId: "x" }).toEqual({ ...b.sent.json, attemptId: "x" });
    expect(a.sent.response.headers.getSetCookie().map((line) => line.split("=")[0])).toEqual([CLIENT_COOKIE]);
    expect(await db.outboxMessage.count({ where: { to: unknown } })).toBe(0);
    // A guessed code fails like a wrong one.
    const guess = await call(verifyCodeRoute, "/api/auth/email/verify-code", {
      body: { attemptId: a.attemptId, code: "000000" },
      jar: a.jar,
    });
    expect(guess.status).toBe(422);
  });

  it("voids the code after 5 wrong tries, even for the right code afterwards", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const { code } = extractCodeAndLink(await mail.deliver(email));
    const wrong = code === "111111" ? "222222" : "111111";
    for (let attempt = 1; attempt <= 4; attempt++) {
      const result = await call(verifyCodeRoute, "/api/auth/email/verify-code", {
        body: { attemptId, code: wrong },
        jar,
      });
      expect(result.status).toBe(422);
      expect(result.json.errors[0]).toMatchObject({ code: "verification_incorrect", field: "code" });
      expect(result.json.errors[0].message).toContain(`${5 - attempt} tr`);
    }
    const fifth = await call(verifyCodeRoute, "/api/auth/email/verify-code", { body: { attemptId, code: wrong }, jar });
    expect(fifth.json.errors[0].code).toBe("verification_voided");
    const right = await call(verifyCodeRoute, "/api/auth/email/verify-code", { body: { attemptId, code }, jar });
    expect(right.status).toBe(410);
    expect(right.json.errors[0].code).toBe("verification_voided");
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
    const status = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar });
    expect(status.json).toEqual({ status: "failed" });
  });

  it("counts concurrent wrong guesses atomically: never more than 5", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    await mail.deliver(email);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        call(verifyCodeRoute, "/api/auth/email/verify-code", {
          body: { attemptId, code: String(900000 + index) },
          jar,
        }),
      ),
    );
    const counted = results.filter((result) => result.json.errors[0].code === "verification_incorrect").length;
    expect(counted).toBeLessThanOrEqual(5);
    expect((await db.verification.findFirstOrThrow({ where: { attemptId } })).attempts).toBe(5);
  });

  it("expires after 10 minutes (clock injected)", async () => {
    const { email } = await signedUpUser();
    const start = new Date();
    const context = (now: Date): RequestContext => ({
      ip: null,
      userAgent: "vitest",
      issuer: "http://localhost:3000",
      authorizedParty: "http://localhost:3000",
      now,
    });
    const sent = await sendEmailCode({ email, intent: "sign_in", clientToken: null }, context(start));
    const clientToken = sent.newClientToken;
    const { code, link } = extractCodeAndLink(await mail.deliver(email));
    const late = new Date(start.getTime() + 10 * 60_000 + 1);
    await expect(
      verifyEmailCode({ attemptId: sent.attemptId, code, clientToken }, context(late)),
    ).rejects.toMatchObject({ code: "verification_expired" });
    expect(await inspectEmailLink(tokenOf(link), late)).toMatchObject({ state: "expired" });
    // One second before the deadline it still works.
    const result = await verifyEmailCode(
      { attemptId: sent.attemptId, code, clientToken },
      context(new Date(start.getTime() + 10 * 60_000 - 1_000)),
    );
    expect(result.status).toBe("complete");
  });

  it("enforces a 30 s resend cooldown, and a resend makes the earlier code useless", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const first = extractCodeAndLink(await mail.deliver(email));
    const tooSoon = await call(sendRoute, "/api/auth/email/send", { body: { attemptId }, jar });
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.response.headers.get("retry-after"))).toBeGreaterThan(25);
    // Same for a fresh request for that address (known or not, the same rule).
    expect((await call(sendRoute, "/api/auth/email/send", { body: { email, intent: "sign_in" }, jar })).status).toBe(
      429,
    );

    await db.verification.updateMany({ where: { attemptId }, data: { lastSentAt: new Date(Date.now() - 31_000) } });
    const resent = await call(sendRoute, "/api/auth/email/send", { body: { attemptId }, jar });
    expect(resent.json).toEqual({ status: "sent", attemptId, resendAfter: 30 });
    const second = extractCodeAndLink(await mail.deliver(email));
    expect(second.link).not.toBe(first.link);
    if (first.code !== second.code) {
      const old = await call(verifyCodeRoute, "/api/auth/email/verify-code", {
        body: { attemptId, code: first.code },
        jar,
      });
      expect(old.status).toBe(422);
    }
    const ok = await call(verifyCodeRoute, "/api/auth/email/verify-code", {
      body: { attemptId, code: second.code },
      jar,
    });
    expect(ok.json.status).toBe("complete");
  });

  it("refuses an attempt from another browser", async () => {
    const { email } = await signedUpUser();
    const { attemptId } = await requestEmail(email);
    const { code } = extractCodeAndLink(await mail.deliver(email));
    const stranger = await call(verifyCodeRoute, "/api/auth/email/verify-code", {
      body: { attemptId, code },
      jar: new CookieJar(),
    });
    expect(stranger.status).toBe(404);
  });
});

describe("magic links (S4)", () => {
  it("same browser: only the POST consumes; the confirm tab and the waiting tab both end up signed in", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const token = tokenOf(extractCodeAndLink(await mail.deliver(email)).link);

    // A mail scanner's GET (the confirm page render) only inspects.
    expect(await inspectEmailLink(token)).toEqual({ state: "valid", purpose: "sign_in" });
    expect(await inspectEmailLink(token)).toEqual({ state: "valid", purpose: "sign_in" });
    const pending = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar });
    expect(pending.json).toMatchObject({ status: "pending" });

    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar });
    expect(confirmed.json).toEqual({ status: "complete", redirectUrl: "/after" });
    expect(jar.values.get(SESSION_COOKIE)).toBeTruthy();

    const status = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar });
    expect(status.json).toEqual({ status: "complete", redirectUrl: "/after" });
    const again = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar });
    expect(again.status).toBe(410);
    expect(again.json.errors[0].code).toBe("verification_used");
    expect(await inspectEmailLink(token)).toMatchObject({ state: "used" });
  });

  it("other device: shows 'verified' there and signs in the original browser on its next poll", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const token = tokenOf(extractCodeAndLink(await mail.deliver(email)).link);
    const phone = new CookieJar();
    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar: phone });
    expect(confirmed.json).toEqual({ status: "verified_elsewhere" });
    expect(phone.values.has(SESSION_COOKIE)).toBe(false);

    const sessionsBefore = await db.session.count({
      where: { user: { emailAddresses: { some: { emailNormalized: email } } } },
    });
    const polled = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar });
    expect(polled.json).toEqual({ status: "complete", redirectUrl: "/after" });
    expect(jar.values.get(SESSION_COOKIE)).toBeTruthy();
    const polledAgain = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar });
    expect(polledAgain.json).toEqual({ status: "complete", redirectUrl: "/after" });
    const sessionsAfter = await db.session.count({
      where: { user: { emailAddresses: { some: { emailNormalized: email } } } },
    });
    expect(sessionsAfter).toBe(sessionsBefore + 1);
    // The phone's poll (it has no such attempt) learns nothing.
    expect((await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar: phone })).status).toBe(404);
  });

  it("other device with the admin setting on: signs in on the clicking device", async () => {
    settings.overrides = { emailLinkSignsInOnOtherDevice: true };
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const token = tokenOf(extractCodeAndLink(await mail.deliver(email)).link);
    const phone = new CookieJar();
    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar: phone });
    expect(confirmed.json).toEqual({ status: "complete", redirectUrl: "/after" });
    expect(phone.values.get(SESSION_COOKIE)).toBeTruthy();
    expect(phone.values.get(CLIENT_COOKIE)).toBeTruthy();
    const polled = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar });
    expect(polled.json).toEqual({ status: "complete_elsewhere" });
  });

  it("20 concurrent POSTs of the same link token open exactly one session", async () => {
    const { email, userId } = await signedUpUser();
    const { jar } = await requestEmail(email);
    const token = tokenOf(extractCodeAndLink(await mail.deliver(email)).link);
    const before = await db.session.count({ where: { userId } });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar }),
      ),
    );
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 410)).toHaveLength(19);
    expect(await db.session.count({ where: { userId } })).toBe(before + 1);
  });
});

describe("email sign-up (S4)", () => {
  it("passwordless sign-up by link creates the user with a verified address", async () => {
    const email = uniqueEmail("passwordless");
    const { jar, attemptId } = await requestEmail(email, new CookieJar(), "sign_up");
    expect(attemptId).toMatch(/^sua_/);
    expect(await db.emailAddress.count({ where: { emailNormalized: email } })).toBe(0);
    const message = await mail.deliver(email);
    expect(message.subject).toMatch(/verification code/);
    const token = tokenOf(extractCodeAndLink(message).link);
    expect(await inspectEmailLink(token)).toMatchObject({ state: "valid", purpose: "sign_up" });
    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar });
    expect(confirmed.json).toEqual({ status: "complete", redirectUrl: "/after" });
    const address = await db.emailAddress.findUniqueOrThrow({
      where: { emailNormalized: email },
      include: { user: true },
    });
    expect(address.verified).toBe(true);
    expect(address.user.passwordHash).toBeNull();
    expect(address.user.primaryEmailAddressId).toBe(address.id);
    expect(decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sub).toBe(address.userId);
  });
});
