import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { extractCodeAndLink, useTestSmtp } from "@/lib/email/testing";
import { CookieJar, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { POST as sendRoute } from "@/app/api/auth/email/send/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import { GET as statusRoute } from "@/app/api/auth/email/status/route";
import { POST as denyLinkRoute } from "@/app/api/auth/email/deny-link/route";
import { verifyEmailCode, inspectEmailLink, sendEmailCode } from "@/lib/sign-in";
import type { RequestContext } from "@/lib/session";
import { RATE_LIMIT_RULES, resetRateLimit, setRateLimitStore } from "@/lib/ratelimit";
import { steadyMemoryStore } from "@/test/rate-limit";

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
beforeEach(() => setRateLimitStore(steadyMemoryStore()));

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
    expect(await inspectEmailLink(tokenOf(link), null, late)).toMatchObject({ state: "expired" });
    // One second before the deadline it still works.
    const result = await verifyEmailCode(
      { attemptId: sent.attemptId, code, clientToken },
      context(new Date(start.getTime() + 10 * 60_000 - 1_000)),
    );
    expect(result.status).toBe("complete");
  });

  it("enforces a 30 s resend cooldown, and a resend makes the earlier code AND link useless", async () => {
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
    // The first email's link is dead although it was never used and has not reached its 10 minutes:
    // only storeVerification voiding the earlier verification makes it so.
    expect(await inspectEmailLink(tokenOf(first.link), jar.values.get(CLIENT_COOKIE)!)).toMatchObject({ state: "expired" });
    const oldLink = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token: tokenOf(first.link) }, jar });
    expect(oldLink.status).toBe(410);
    expect(oldLink.json.errors[0].code).toBe("verification_expired");
    if (first.code !== second.code) {
      const old = await call(verifyCodeRoute, "/api/auth/email/verify-code", { body: { attemptId, code: first.code }, jar });
      expect(old.status).toBe(422);
    }
    const ok = await call(verifyCodeRoute, "/api/auth/email/verify-code", { body: { attemptId, code: second.code }, jar });
    expect(ok.json.status).toBe("complete");
  });

  it("counts resends toward the address's send limit: 3 emails per 10 minutes, however they are asked for (S10)", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const sent = async () => {
      // Past the 30 s cooldown each time, so only the send limit can refuse.
      await db.verification.updateMany({ where: { identifier: email }, data: { lastSentAt: new Date(Date.now() - 31_000) } });
      return call(sendRoute, "/api/auth/email/send", { body: { attemptId }, jar });
    };
    expect((await sent()).status).toBe(200);
    expect((await sent()).status).toBe(200);
    const fourth = await sent();
    expect(fourth.status).toBe(429);
    expect(fourth.json.message).toMatch(/^Too many emails to this address\. Try again in \d+ (minutes?|seconds?)\.$/);
    // A fresh attempt for the same address hits the same budget.
    await db.verification.updateMany({ where: { identifier: email }, data: { lastSentAt: new Date(Date.now() - 31_000) } });
    expect((await call(sendRoute, "/api/auth/email/send", { body: { email, intent: "sign_in" }, jar: new CookieJar() })).status).toBe(429);
    expect(await db.outboxMessage.count({ where: { to: email, template: "sign_in_code" } })).toBe(3);
  });

  it("caps wrong codes per address across resends and attempts: fresh codes buy no extra guesses (S10)", async () => {
    const { email } = await signedUpUser();
    let answered422 = 0;
    let refused429 = 0;
    const attempts: { jar: CookieJar; attemptId: string }[] = [];
    for (let round = 0; round < 4; round++) {
      // Lift only the 30 s cooldown and the send budget between rounds; the failure budget stays.
      await db.verification.updateMany({ where: { identifier: email }, data: { lastSentAt: new Date(Date.now() - 31_000) } });
      await resetRateLimit(RATE_LIMIT_RULES.sendPerIdentifier, `sign_in:${email}`);
      attempts.push(await requestEmail(email));
    }
    for (const { jar, attemptId } of attempts) {
      for (let guess = 0; guess < 5; guess++) {
        const result = await call(verifyCodeRoute, "/api/auth/email/verify-code", {
          body: { attemptId, code: String(100000 + guess) },
          jar,
        });
        if (result.status === 422 || result.json.errors?.[0]?.code === "verification_voided") answered422++;
        else if (result.status === 429) refused429++;
      }
    }
    // 20 guesses over 4 attempts: the address's budget of 15 stops the last 5, however the codes were spread.
    expect(answered422).toBe(15);
    expect(refused429).toBe(5);
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
    expect(await inspectEmailLink(token, jar.values.get(CLIENT_COOKIE)!)).toMatchObject({ state: "valid", purpose: "sign_in", sameBrowser: true });
    expect(await inspectEmailLink(token, jar.values.get(CLIENT_COOKIE)!)).toMatchObject({ state: "valid", purpose: "sign_in", sameBrowser: true });
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
    expect(await inspectEmailLink(token, null)).toMatchObject({ state: "used" });
  });

  it("same browser: a poll that left the waiting tab before the confirm tab's answer replaced the cookie reads pending (not 404, not yet complete); the next one, with the new cookie, reads complete", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const token = tokenOf(extractCodeAndLink(await mail.deliver(email)).link);
    // The waiting tab's poll carries the browser's cookies as they were before the sign-in.
    const beforeSignIn = new CookieJar();
    for (const [name, value] of jar.values) beforeSignIn.values.set(name, value);

    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar });
    expect(confirmed.json).toEqual({ status: "complete", redirectUrl: "/after" });
    expect(jar.values.get(CLIENT_COOKIE)).not.toBe(beforeSignIn.values.get(CLIENT_COOKIE)); // replaced on sign-in

    const late = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar: beforeSignIn });
    expect(late.status).toBe(200);
    // "complete" would send the tab to the page before the new cookies reached the browser.
    expect(late.json).toMatchObject({ status: "pending" });
    // It is told to wait, nothing more: no cookie, no session for the old token.
    expect(late.response.headers.getSetCookie()).toEqual([]);
    expect(beforeSignIn.values.has(SESSION_COOKIE)).toBe(false);
    // The old token gets no session from it: a refresh with it is refused (the fixation rotation holds).
    const { POST: refreshRoute } = await import("@/app/api/auth/session/refresh/route");
    expect((await call(refreshRoute, "/api/auth/session/refresh", { body: {}, jar: beforeSignIn })).status).toBe(401);
    expect((await call(refreshRoute, "/api/auth/session/refresh", { body: {}, jar })).status).toBe(200);
    // The next poll carries the browser's new cookie: now it is complete.
    const next = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar });
    expect(next.json).toEqual({ status: "complete", redirectUrl: "/after" });
  });

  it("a pending attempt is not reported to the token it started with once the client's token has moved on", async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const beforeSignIn = new CookieJar();
    for (const [name, value] of jar.values) beforeSignIn.values.set(name, value);
    // The same browser signs in some other way (a password, in another tab): its client token is replaced.
    const other = await signedUpUser();
    const { POST: passwordSignIn } = await import("@/app/api/auth/sign-in/route");
    const signedIn = await call(passwordSignIn, "/api/auth/sign-in", { body: { email: other.email, password: other.password }, jar });
    expect(signedIn.status).toBe(200);
    // The attempt is still pending: only the browser's current token may see or finish it.
    expect((await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar: beforeSignIn })).status).toBe(404);
    expect((await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar })).json).toMatchObject({ status: "pending" });
  });

  it("other device: completes nothing there, says where the request came from; the asking browser still can", async () => {
    const { email, userId } = await signedUpUser();
    const jar = new CookieJar();
    const sent = await call(sendRoute, "/api/auth/email/send", {
      body: { email, intent: "sign_in", redirectUrl: "/after" },
      jar,
    });
    const attemptId = sent.json.attemptId as string;
    const token = tokenOf(extractCodeAndLink(await mail.deliver(email)).link);
    const phone = new CookieJar();
    const before = await db.session.count({ where: { userId } });

    expect(await inspectEmailLink(token, null)).toMatchObject({
      state: "valid",
      sameBrowser: false,
      crossDeviceAllowed: false,
      requestedFrom: { device: expect.any(String), at: expect.stringMatching(/UTC$/) },
    });
    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar: phone });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ status: "open_on_original_device", requestedFrom: { device: expect.any(String) } });
    expect(phone.values.has(SESSION_COOKIE)).toBe(false);
    // Nothing was consumed or completed: the asking browser keeps waiting, and no session exists.
    expect((await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar })).json).toMatchObject({ status: "pending" });
    expect(await db.session.count({ where: { userId } })).toBe(before);
    // The same link then works in the browser that asked.
    const here = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar });
    expect(here.json).toEqual({ status: "complete", redirectUrl: "/after" });
  });

  it("an attacker who types the victim's address never gets a session from the victim's click (sign-in and sign-up)", async () => {
    const victim = await signedUpUser();
    const attacker = new CookieJar();
    const attempt = await requestEmail(victim.email, attacker);
    const victimsLink = tokenOf(extractCodeAndLink(await mail.deliver(victim.email)).link);
    // The victim clicks "Confirm" in the genuine email, in their own browser (signed in or not).
    await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token: victimsLink }, jar: victim.jar });
    await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token: victimsLink }, jar: new CookieJar() });
    const polled = await call(statusRoute, `/api/auth/email/status?attemptId=${attempt.attemptId}`, { jar: attacker });
    expect(polled.json).toMatchObject({ status: "pending" });
    expect(attacker.values.has(SESSION_COOKIE)).toBe(false);

    // Sign-up with the attacker's password for an address the attacker does not own.
    const target = uniqueEmail("target");
    const signUp = await requestEmail(target, new CookieJar(), "sign_up");
    const link = tokenOf(extractCodeAndLink(await mail.deliver(target)).link);
    const click = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token: link }, jar: new CookieJar() });
    expect(click.json.status).toBe("open_on_original_device");
    expect((await call(statusRoute, `/api/auth/email/status?attemptId=${signUp.attemptId}`, { jar: signUp.jar })).json.status).toBe("pending");
    expect(await db.emailAddress.count({ where: { emailNormalized: target } })).toBe(0);
  });

  it("cross-device setting on: another browser approves after seeing where it came from; the asking browser signs in", async () => {
    settings.overrides = { emailLinkCrossDevice: true };
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const message = await mail.deliver(email);
    // The email names the requesting browser, IP and time.
    expect(message.text).toMatch(/Requested from .+ on .+ UTC/);
    const token = tokenOf(extractCodeAndLink(message).link);
    const phone = new CookieJar();
    expect(await inspectEmailLink(token, null)).toMatchObject({ state: "valid", sameBrowser: false, crossDeviceAllowed: true });
    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar: phone });
    expect(confirmed.json).toEqual({ status: "verified_elsewhere" });
    expect(phone.values.has(SESSION_COOKIE)).toBe(false);
    const polled = await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar });
    expect(polled.json).toEqual({ status: "complete", redirectUrl: "/after" });
    expect(jar.values.get(SESSION_COOKIE)).toBeTruthy();
  });

  it('"this wasn\'t me" voids the code, the link and the attempt, and is audited', async () => {
    const { email } = await signedUpUser();
    const { jar, attemptId } = await requestEmail(email);
    const { code, link } = extractCodeAndLink(await mail.deliver(email));
    const denied = await call(denyLinkRoute, "/api/auth/email/deny-link", { body: { token: tokenOf(link) }, jar: new CookieJar() });
    expect(denied.json).toEqual({ status: "denied" });
    const viaCode = await call(verifyCodeRoute, "/api/auth/email/verify-code", { body: { attemptId, code }, jar });
    expect(viaCode.status).toBe(410);
    const viaLink = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token: tokenOf(link) }, jar });
    expect(viaLink.status).toBe(410);
    expect((await call(statusRoute, `/api/auth/email/status?attemptId=${attemptId}`, { jar })).json).toEqual({ status: "failed" });
    expect(await db.auditEvent.count({ where: { type: "attempt.denied", targetId: attemptId } })).toBe(1);
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
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
    expect(statuses.filter((status) => status === 410), JSON.stringify(results.filter((r) => r.status !== 410).map((r) => [r.status, r.json]))).toHaveLength(19);
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
    expect(await inspectEmailLink(token, jar.values.get(CLIENT_COOKIE)!)).toMatchObject({ state: "valid", purpose: "sign_up", sameBrowser: true });
    const confirmed = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { body: { token }, jar });
    expect(confirmed.json).toEqual({ status: "complete", redirectUrl: "/after" });
    const address = await db.emailAddress.findFirstOrThrow({
      where: { emailNormalized: email },
      include: { user: true },
    });
    expect(address.verified).toBe(true);
    expect(address.user.passwordHash).toBeNull();
    expect(address.user.primaryEmailAddressId).toBe(address.id);
    expect(decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sub).toBe(address.userId);
  });
});
