import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { extractCodeAndLink, useTestSmtp } from "@/lib/email/testing";
import { CookieJar, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { POST as sendRoute } from "@/app/api/auth/password-reset/send/route";
import { POST as verifyRoute } from "@/app/api/auth/password-reset/verify/route";
import { POST as completeRoute } from "@/app/api/auth/password-reset/complete/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";

const mail = useTestSmtp();
const NEW_PASSWORD = "violet otters juggle quietly 77";

async function call(route: (request: never) => Promise<Response>, path: string, body: unknown, jar?: CookieJar) {
  const response = await route(makeRequest(path, { body, jar }) as never);
  jar?.absorb(response);
  return { response, status: response.status, json: await response.json() };
}

describe("forgot password (S3, S4)", () => {
  it("by code: policy-checked new password, signed in, other devices signed out", async () => {
    const { email, password, jar: otherDevice, userId } = await signedUpUser();
    const sent = await call(sendRoute, "/api/auth/password-reset/send", { email });
    expect(sent.json).toEqual({ status: "sent", resetId: expect.stringMatching(/^ver_/), resendAfter: 30 });
    const message = await mail.deliver(email);
    expect(message.subject).toMatch(/Reset your/);
    const { code, link } = extractCodeAndLink(message);
    expect(link).toMatch(/\/reset-password\?token=/);

    const wrong = await call(verifyRoute, "/api/auth/password-reset/verify", {
      resetId: sent.json.resetId,
      code: code === "000000" ? "111111" : "000000",
    });
    expect(wrong.status).toBe(422);
    const verified = await call(verifyRoute, "/api/auth/password-reset/verify", { resetId: sent.json.resetId, code });
    expect(verified.json).toEqual({ status: "verified", token: expect.any(String) });
    // The emailed link no longer doubles as the reset token once the code was used.
    expect(
      (await call(verifyRoute, "/api/auth/password-reset/verify", { token: new URL(link).searchParams.get("token") }))
        .status,
    ).toBe(410);

    const weak = await call(completeRoute, "/api/auth/password-reset/complete", {
      token: verified.json.token,
      password: "password123",
    });
    expect(weak.status).toBe(422);
    expect(weak.json.errors[0].code).toBe("password_policy");

    const jar = new CookieJar();
    const done = await call(
      completeRoute,
      "/api/auth/password-reset/complete",
      { token: verified.json.token, password: NEW_PASSWORD, signOutOtherDevices: true },
      jar,
    );
    expect(done.json).toEqual({ status: "complete", redirectUrl: "/" });
    const claims = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!);
    expect(claims.sub).toBe(userId);
    const otherSid = decodeJwtPayload(otherDevice.values.get(SESSION_COOKIE)!).sid as string;
    expect((await db.session.findUniqueOrThrow({ where: { id: otherSid } })).status).toBe("revoked");
    expect((await db.session.findUniqueOrThrow({ where: { id: claims.sid as string } })).status).toBe("active");
    expect(await db.auditEvent.count({ where: { type: "password.reset", targetId: userId } })).toBe(1);

    expect((await call(signInRoute, "/api/auth/sign-in", { email, password })).status).toBe(401);
    expect((await call(signInRoute, "/api/auth/sign-in", { email, password: NEW_PASSWORD })).status).toBe(200);
    // Single use.
    const replay = await call(completeRoute, "/api/auth/password-reset/complete", {
      token: verified.json.token,
      password: NEW_PASSWORD,
    });
    expect(replay.json.errors[0].code).toBe("verification_used");
  });

  it("by link, keeping other devices signed in when asked", async () => {
    const { email, jar: otherDevice } = await signedUpUser();
    await call(sendRoute, "/api/auth/password-reset/send", { email });
    const token = new URL(extractCodeAndLink(await mail.deliver(email)).link).searchParams.get("token")!;
    expect((await call(verifyRoute, "/api/auth/password-reset/verify", { token })).json).toEqual({
      status: "verified",
      token,
    });
    const done = await call(
      completeRoute,
      "/api/auth/password-reset/complete",
      { token, password: NEW_PASSWORD, signOutOtherDevices: false },
      new CookieJar(),
    );
    expect(done.json.status).toBe("complete");
    const otherSid = decodeJwtPayload(otherDevice.values.get(SESSION_COOKIE)!).sid as string;
    expect((await db.session.findUniqueOrThrow({ where: { id: otherSid } })).status).toBe("active");
  });

  it("never bypasses a second factor", async () => {
    const { email, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { mfaEnabled: true, totpEnabled: true } });
    await call(sendRoute, "/api/auth/password-reset/send", { email });
    const token = new URL(extractCodeAndLink(await mail.deliver(email)).link).searchParams.get("token")!;
    const jar = new CookieJar();
    const done = await call(completeRoute, "/api/auth/password-reset/complete", { token, password: NEW_PASSWORD }, jar);
    expect(done.json).toEqual({
      status: "needs_second_factor",
      attemptId: expect.stringMatching(/^sia_/),
      methods: { totp: false, backupCode: false, sms: null, securityKey: false, preferred: null },
    });
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
    const attempt = await db.signInAttempt.findUniqueOrThrow({ where: { id: done.json.attemptId } });
    expect(attempt).toMatchObject({
      status: "needs_second_factor",
      userId,
      firstFactor: "reset_password",
      createdSessionId: null,
    });
  });

  it("answers unknown addresses the same and sends nothing", async () => {
    const unknown = uniqueEmail("nobody-reset");
    const sent = await call(sendRoute, "/api/auth/password-reset/send", { email: unknown });
    expect(sent.status).toBe(200);
    expect(Object.keys(sent.json).sort()).toEqual(["resendAfter", "resetId", "status"]);
    expect(await db.outboxMessage.count({ where: { to: unknown } })).toBe(0);
    expect(
      (await call(verifyRoute, "/api/auth/password-reset/verify", { resetId: sent.json.resetId, code: "123456" }))
        .status,
    ).toBe(422);
  });
});
