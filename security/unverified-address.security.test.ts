import { beforeEach, describe, expect, it } from "vitest";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as sendRoute } from "@/app/api/auth/email/send/route";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { db } from "@/lib/db";
import { SESSION_COOKIE } from "@/lib/edge";
import { newId } from "@/lib/ids";
import { setRateLimitStore } from "@/lib/ratelimit";
import { latestEmailCode } from "@/test/fixtures";
import { CookieJar, STRONG_PASSWORD, decodeJwtPayload, makeRequest, uniqueEmail } from "@/test/http";
import { passwordUser } from "./helpers";
import { steadyMemoryStore } from "@/test/rate-limit";

/**
 * Unverified addresses (S10): an address someone typed into their own account
 * but never proved must not sign anyone in, grant ADMIN_EMAILS' admin role,
 * or squat the address so its real owner cannot sign up.
 */
beforeEach(() => setRateLimitStore(steadyMemoryStore()));

async function squat(email: string) {
  const squatter = await passwordUser();
  await db.emailAddress.create({
    data: { id: newId("identification"), userId: squatter.userId, email, emailNormalized: email.toLowerCase() },
  });
  return squatter;
}

describe("an unverified address", () => {
  it("does not stop its real owner from signing up (uniqueness is among verified addresses only)", async () => {
    const email = uniqueEmail("owner");
    await squat(email);
    const jar = new CookieJar();
    const started = await signUpRoute(makeRequest("/api/auth/sign-up", { body: { email, password: STRONG_PASSWORD }, jar }));
    jar.absorb(started);
    const { attemptId } = (await started.json()) as { attemptId: string };
    const code = await latestEmailCode(email); // a real code, not the "you already have an account" notice
    const verified = await verifyCodeRoute(makeRequest("/api/auth/email/verify-code", { body: { attemptId, code }, jar }));
    expect(verified.status).toBe(200);
    expect(await db.emailAddress.count({ where: { emailNormalized: email, verified: true } })).toBe(1);
  });

  it("signs nobody in: not the squatter by password, not through an emailed code", async () => {
    const email = uniqueEmail("victim");
    const squatter = await squat(email);
    const password = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email, password: squatter.password } }));
    expect(password.status).toBe(401);
    const sent = await sendRoute(makeRequest("/api/auth/email/send", { body: { email, intent: "sign_in" } }));
    expect(sent.status).toBe(200); // the same answer as for any address ...
    expect(await db.outboxMessage.count({ where: { to: email } })).toBe(0); // ... and nothing is mailed
  });

  it("grants no admin role: ADMIN_EMAILS counts only a verified address", async () => {
    const squatter = await squat("middleware-admin@example.com");
    const response = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email: squatter.email, password: squatter.password } }));
    expect(response.status).toBe(200);
    const jar = new CookieJar();
    jar.absorb(response);
    expect(decodeJwtPayload(jar.values.get(SESSION_COOKIE)!).role).toBe("user");
    expect((await db.user.findUniqueOrThrow({ where: { id: squatter.userId } })).role).toBe("user");
  });

  it("cannot be made verified while another account holds it verified (partial unique index)", async () => {
    const owner = await passwordUser();
    const squatter = await passwordUser();
    const id = newId("identification");
    await db.emailAddress.create({ data: { id, userId: squatter.userId, email: owner.email, emailNormalized: owner.email.toLowerCase() } });
    await expect(db.emailAddress.update({ where: { id }, data: { verified: true } })).rejects.toMatchObject({ code: "P2002" });
  });
});
