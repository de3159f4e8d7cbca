import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { LOCKOUT_THRESHOLD } from "@/lib/sign-in";
import { CookieJar, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import { signedUpUser } from "@/test/fixtures";
import { POST } from "./route";

async function signIn(body: Record<string, unknown>, jar = new CookieJar()) {
  const response = await POST(makeRequest("/api/auth/sign-in", { body, jar }));
  jar.absorb(response);
  return { response, jar, body: await response.json() };
}

describe("POST /api/auth/sign-in", () => {
  it("signs in with the right password and opens a new session", async () => {
    const { email, password, userId } = await signedUpUser();
    const { response, jar, body } = await signIn({ email: email.toUpperCase(), password, redirectUrl: "/?tab=profile" });
    expect(response.status).toBe(200);
    // The user id keys the browser's one-time passkey offer (S13).
    expect(body).toEqual({ status: "complete", redirectUrl: "/?tab=profile", userId });
    const claims = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!);
    expect(claims.sub).toBe(userId);
    const attempt = await db.signInAttempt.findFirstOrThrow({ where: { createdSessionId: claims.sid as string } });
    expect(attempt).toMatchObject({ status: "complete", firstFactor: "password", userId });
    expect(await db.auditEvent.count({ where: { type: "sign_in.succeeded", actorId: userId } })).toBe(1);
  });

  it("answers an unknown email and a wrong password with the same status and body", async () => {
    const { email } = await signedUpUser();
    const wrong = await signIn({ email, password: "not the password at all" });
    const unknown = await signIn({ email: uniqueEmail("ghost"), password: "not the password at all" });
    expect(wrong.response.status).toBe(401);
    expect(unknown.response.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.errors).toEqual([{ code: "invalid_credentials", message: "Email address or password is incorrect." }]);
    expect(wrong.response.headers.getSetCookie()).toEqual([]);
  });

  it("refuses an open redirect and falls back to /", async () => {
    const { email, password } = await signedUpUser();
    for (const redirectUrl of ["//evil.example", "https://evil.example/x", "javascript:alert(1)"]) {
      const { body } = await signIn({ email, password, redirectUrl });
      expect(body.redirectUrl).toBe("/");
    }
  });

  it("replaces the user's previous session on the same browser instead of stacking them", async () => {
    const { email, password, jar, userId } = await signedUpUser();
    const first = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    await signIn({ email, password }, jar);
    const second = decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).sid as string;
    expect(second).not.toBe(first);
    expect((await db.session.findUniqueOrThrow({ where: { id: first } })).status).toBe("replaced");
    expect(await db.session.count({ where: { userId, status: "active" } })).toBe(1);
  });

  it(`locks the account after ${LOCKOUT_THRESHOLD} failures, telling only someone who knows the password`, async () => {
    const { email, password, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { failedSignInAttempts: LOCKOUT_THRESHOLD - 1 } });
    const last = await signIn({ email, password: "wrong wrong wrong" });
    expect(last.response.status).toBe(401);
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(await db.auditEvent.count({ where: { type: "user.locked", targetId: userId } })).toBe(1);

    // A stranger guessing still sees the generic error; the owner learns it is locked.
    expect((await signIn({ email, password: "another guess" })).body.errors[0].code).toBe("invalid_credentials");
    const owner = await signIn({ email, password });
    expect(owner.response.status).toBe(423);
    expect(Number(owner.response.headers.get("retry-after"))).toBeGreaterThan(3000);
  });

  it("refuses a banned user who knows the password", async () => {
    const { email, password, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { banned: true } });
    expect((await signIn({ email, password })).response.status).toBe(403);
  });

  it("rehashes the password when the cost setting changed", async () => {
    const { email, password, userId } = await signedUpUser();
    await db.user.update({ where: { id: userId }, data: { passwordCost: 5 } });
    await signIn({ email, password });
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.passwordCost).toBe(4);
  });
});
