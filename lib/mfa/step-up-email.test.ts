import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { latestEmailCode, signedUpUser } from "@/test/fixtures";
import { makeRequest } from "@/test/http";
import { GET as methodsRoute, POST as reverifyRoute } from "@/app/api/auth/reverify/route";
import { POST as sendEmailCodeRoute } from "@/app/api/auth/reverify/email/send/route";
import { POST as passwordRoute } from "@/app/api/account/password/route";
import { STRONG_PASSWORD } from "@/test/http";

/** A session whose last verification is 11 minutes old: sensitive actions ask again (S6). */
async function staleSession(options: { passwordless: boolean }) {
  const user = await signedUpUser();
  if (options.passwordless) await db.user.update({ where: { id: user.userId }, data: { passwordHash: null, passwordCost: null } });
  await db.session.updateMany({ where: { userId: user.userId }, data: { verifiedAt: new Date(Date.now() - 11 * 60_000) } });
  return user;
}

describe("step-up by emailed code, for accounts with nothing else to prove (S6)", () => {
  it("offers and accepts an emailed code when there is no password and no second factor", async () => {
    const user = await staleSession({ passwordless: true });
    const setPassword = () => passwordRoute(makeRequest("/api/account/password", { body: { newPassword: `${STRONG_PASSWORD}!`, signOutOtherDevices: false }, jar: user.jar }));
    expect((await setPassword()).status).toBe(403);

    const methods = await (await methodsRoute(makeRequest("/api/auth/reverify", { jar: user.jar }))).json();
    expect(methods).toMatchObject({ password: false, totp: false, emailCode: { emailHint: expect.stringMatching(/^.•••@example\.com$/) } });

    const sent = await sendEmailCodeRoute(makeRequest("/api/auth/reverify/email/send", { body: {}, jar: user.jar }));
    expect(sent.status).toBe(200);
    const code = await latestEmailCode(user.email);
    const wrong = await reverifyRoute(makeRequest("/api/auth/reverify", { body: { method: "email_code", code: code === "000000" ? "111111" : "000000" }, jar: user.jar }));
    expect(wrong.status).toBe(422);
    const right = await reverifyRoute(makeRequest("/api/auth/reverify", { body: { method: "email_code", code }, jar: user.jar }));
    expect(right.status).toBe(200);
    expect((await setPassword()).status).toBe(200);
    // Single use.
    const again = await reverifyRoute(makeRequest("/api/auth/reverify", { body: { method: "email_code", code }, jar: user.jar }));
    expect(again.status).not.toBe(200);
  });

  it("is not offered, and refused, when the account has a password", async () => {
    const user = await staleSession({ passwordless: false });
    const methods = await (await methodsRoute(makeRequest("/api/auth/reverify", { jar: user.jar }))).json();
    expect(methods).toMatchObject({ password: true, emailCode: null });
    const sent = await sendEmailCodeRoute(makeRequest("/api/auth/reverify/email/send", { body: {}, jar: user.jar }));
    expect(sent.status).toBe(403);
    const attempt = await reverifyRoute(makeRequest("/api/auth/reverify", { body: { method: "email_code", code: "123456" }, jar: user.jar }));
    expect(attempt.status).toBe(403);
  });
});
