import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { extractCodeAndLink, useTestSmtp } from "@/lib/email/testing";
import { getUserProfile } from "@/lib/users";
import { CookieJar, STRONG_PASSWORD, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST } from "./route";

const mail = useTestSmtp();

async function signUp(body: unknown, jar = new CookieJar()) {
  const response = await POST(makeRequest("/api/auth/sign-up", { body, jar }));
  jar.absorb(response);
  return { response, jar, json: await response.json() };
}

describe("POST /api/auth/sign-up with email verification (the default, S4)", () => {
  it("creates nothing until the emailed code comes back, then signs the verified user in", async () => {
    const email = uniqueEmail("verify");
    const { response, jar, json } = await signUp({
      email,
      password: STRONG_PASSWORD,
      firstName: "Ada",
      redirectUrl: "/welcome",
    });
    expect(response.status).toBe(200);
    expect(json).toEqual({ status: "needs_verification", attemptId: expect.stringMatching(/^sua_/), resendAfter: 30 });
    expect(jar.values.has(SESSION_COOKIE)).toBe(false);
    expect(jar.values.has(CLIENT_COOKIE)).toBe(true);
    expect(await db.emailAddress.count({ where: { emailNormalized: email } })).toBe(0);
    // The pending password is a bcrypt hash, never the password.
    const attempt = await db.signUpAttempt.findUniqueOrThrow({ where: { id: json.attemptId } });
    expect(attempt.passwordHash).toMatch(/^\$2[aby]\$/);

    const message = await mail.deliver(email);
    expect(message.subject).toMatch(/verification code/);
    const { code } = extractCodeAndLink(message);
    const verified = await verifyCodeRoute(
      makeRequest("/api/auth/email/verify-code", { body: { attemptId: json.attemptId, code }, jar }),
    );
    jar.absorb(verified);
    expect(await verified.json()).toEqual({ status: "complete", redirectUrl: "/welcome" });

    const claims = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!);
    expect(claims.email_verified).toBe(true);
    const profile = await getUserProfile(claims.sub as string);
    expect(profile).toMatchObject({ email, emailVerified: true, firstName: "Ada" });
    expect((await db.signUpAttempt.findUniqueOrThrow({ where: { id: json.attemptId } })).passwordHash).toBeNull();
    // The password chosen at sign-up works afterwards.
    const signIn = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password: STRONG_PASSWORD } }));
    expect(signIn.status).toBe(200);
  });

  it("answers an already-registered address identically and emails its owner a notice instead of a code", async () => {
    const email = uniqueEmail("taken");
    const first = await signUp({ email, password: STRONG_PASSWORD });
    const { code } = extractCodeAndLink(await mail.deliver(email));
    await verifyCodeRoute(
      makeRequest("/api/auth/email/verify-code", { body: { attemptId: first.json.attemptId, code }, jar: first.jar }),
    );

    await db.verification.updateMany({
      where: { identifier: email },
      data: { lastSentAt: new Date(Date.now() - 60_000) },
    });
    const again = await signUp({ email: email.toUpperCase(), password: STRONG_PASSWORD });
    expect(again.response.status).toBe(200);
    expect(Object.keys(again.json).sort()).toEqual(["attemptId", "resendAfter", "status"]);
    expect(again.json.status).toBe("needs_verification");
    const notice = await mail.deliver(email);
    expect(notice.subject).toMatch(/already have/i);
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    expect(notice.text).toContain("/sign-in");
    expect(await db.emailAddress.count({ where: { emailNormalized: email } })).toBe(1);
    expect((await db.signUpAttempt.findUniqueOrThrow({ where: { id: again.json.attemptId } })).passwordHash).toBeNull();
  });

  it("still applies the password policy before sending anything", async () => {
    const email = uniqueEmail("weak");
    const { response } = await signUp({ email, password: "password123" });
    expect(response.status).toBe(422);
    expect(await db.outboxMessage.count({ where: { to: email } })).toBe(0);
  });
});
