import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { CLIENT_COOKIE, SESSION_COOKIE } from "@/lib/edge";
import { extractCodeAndLink, useTestSmtp } from "@/lib/email/testing";
import { listPasskeys, removePasskey } from "@/lib/passkeys";
import { readInstanceSettings, updateInstanceSettings, type InstanceSettingsPatch } from "@/lib/settings";
import type { RequestContext } from "@/lib/session";
import { finishPasskeySignIn, startPasskeySignIn } from "@/lib/sign-in";
import { CookieJar, decodeJwtPayload, makeRequest, STRONG_PASSWORD, uniqueEmail } from "@/test/http";
import { SoftwareAuthenticator } from "@/test/software-authenticator";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import { GET as statusRoute } from "@/app/api/auth/email/status/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as startRoute } from "@/app/api/auth/sign-up/passkey/route";
import { POST as optionsRoute } from "@/app/api/auth/sign-up/passkey/options/route";
import { POST as verifyRoute } from "@/app/api/auth/sign-up/passkey/verify/route";
import { finishPasskeySignUp, passkeySignUpOptions } from "./passkey-sign-up";

const mail = useTestSmtp();
const context: RequestContext = { ip: "192.0.2.9", userAgent: "vitest", issuer: "http://localhost:3000", authorizedParty: "http://localhost:3000" };
const SIX_MINUTES = 6 * 60_000;

type CreationOptions = Parameters<SoftwareAuthenticator["register"]>[0] & { rp: { id: string }; authenticatorSelection?: Record<string, unknown> };

async function setSettings(patch: InstanceSettingsPatch) {
  const { version } = await readInstanceSettings();
  await updateInstanceSettings(patch, { expectedVersion: version });
}

beforeAll(async () => {
  await setSettings({ passkeySignUp: true });
});

async function post(route: (request: ReturnType<typeof makeRequest>) => Promise<Response>, path: string, body: unknown, jar: CookieJar) {
  const response = await route(makeRequest(path, { body, jar }));
  jar.absorb(response);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> & { errors?: { code: string }[] } };
}

/** Steps 1 and 2: the sign-up form with "Use a passkey instead", then the emailed code typed in the same browser. */
async function verifiedPasskeySignUp(label = "passkey-sign-up", extra: Record<string, unknown> = {}) {
  const email = uniqueEmail(label);
  const jar = new CookieJar();
  const started = await post(startRoute, "/api/auth/sign-up/passkey", { email, firstName: "Ada", ...extra }, jar);
  expect(started.status, JSON.stringify(started.json)).toBe(200);
  const attemptId = started.json.attemptId as string;
  const { code, link } = extractCodeAndLink(await mail.deliver(email));
  return { email, jar, attemptId, code, link };
}

async function typeCode(session: Awaited<ReturnType<typeof verifiedPasskeySignUp>>) {
  return post(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId: session.attemptId, code: session.code }, session.jar);
}

async function passkeyOptions(attemptId: string, jar: CookieJar) {
  const result = await post(optionsRoute, "/api/auth/sign-up/passkey/options", { attemptId }, jar);
  return { ...result, options: result.json.options as CreationOptions };
}

const errorCode = (json: { errors?: { code: string }[] }) => json.errors?.[0]?.code;

describe("sign-up with a passkey instead of a password (S13)", () => {
  it("verifies the email first, then makes the account, its passkey and the session at once; it signs in with the passkey alone", async () => {
    const signUp = await verifiedPasskeySignUp("alone", { redirectUrl: "/welcome" });
    const attempt = await db.signUpAttempt.findUniqueOrThrow({ where: { id: signUp.attemptId } });
    expect(attempt).toMatchObject({ passkey: true, passwordHash: null, status: "needs_verification", userId: null });

    const verified = await typeCode(signUp);
    expect(verified.json).toEqual({ status: "needs_passkey", attemptId: signUp.attemptId, redirectUrl: "/welcome" });
    // The address is proved, but nothing exists yet: no user, no address, no session.
    const waiting = await db.signUpAttempt.findUniqueOrThrow({ where: { id: signUp.attemptId } });
    expect(waiting.status).toBe("needs_passkey");
    expect(waiting.userId).toMatch(/^user_/);
    expect(await db.user.count({ where: { id: waiting.userId! } })).toBe(0);
    expect(await db.emailAddress.count({ where: { emailNormalized: signUp.email } })).toBe(0);
    expect(signUp.jar.values.has(SESSION_COOKIE)).toBe(false);
    // The waiting tab's poll says the same.
    const polled = await statusRoute(makeRequest(`/api/auth/email/status?attemptId=${signUp.attemptId}`, { jar: signUp.jar }));
    expect(await polled.json()).toEqual({ status: "needs_passkey", attemptId: signUp.attemptId, redirectUrl: "/welcome" });

    const { status, options } = await passkeyOptions(signUp.attemptId, signUp.jar);
    expect(status).toBe(200);
    // The passkey's user handle is the id the account will get; discoverable and user-verified.
    expect(Buffer.from(options.user.id, "base64url").toString("utf8")).toBe(waiting.userId);
    expect(options).toMatchObject({ rp: { id: "localhost" }, authenticatorSelection: { residentKey: "required", userVerification: "required" } });

    const authenticator = new SoftwareAuthenticator();
    const done = await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: authenticator.register(options) }, signUp.jar);
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json).toEqual({ status: "complete", redirectUrl: "/welcome" });
    const claims = decodeJwtPayload(signUp.jar.values.get(SESSION_COOKIE)!);
    expect(claims).toMatchObject({ sub: waiting.userId, email_verified: true });

    const user = await db.user.findUniqueOrThrow({ where: { id: waiting.userId! }, include: { emailAddresses: true } });
    expect(user.passwordHash).toBeNull();
    expect(user.emailAddresses).toMatchObject([{ emailNormalized: signUp.email, verified: true }]);
    expect(user.firstName).toBe("Ada");
    expect(await listPasskeys(user.id)).toHaveLength(1);
    const created = await db.auditEvent.findFirstOrThrow({ where: { type: "user.created", targetId: user.id } });
    expect(created.data).toMatchObject({ method: "passkey", emailVerified: true });
    expect(await db.auditEvent.count({ where: { type: "passkey.added", targetId: user.id } })).toBe(1);
    expect((await db.signUpAttempt.findUniqueOrThrow({ where: { id: signUp.attemptId } })).status).toBe("complete");

    // Signed out (another browser): the passkey alone signs in; no password ever works.
    const signIn = await startPasskeySignIn({ clientToken: null }, context);
    await expect(
      finishPasskeySignIn({ attemptId: signIn.attemptId, clientToken: signIn.newClientToken, response: authenticator.authenticate(signIn.options) }, context),
    ).resolves.toMatchObject({ status: "complete", session: { userId: user.id } });
    const password = await signInRoute(makeRequest("/api/auth/sign-in", { body: { email: signUp.email, password: STRONG_PASSWORD } }));
    expect(password.status).toBe(401);
  });

  it("the link opened in the browser that asked leads to the passkey step as well", async () => {
    const signUp = await verifiedPasskeySignUp("link");
    const token = new URL(signUp.link).searchParams.get("token")!;
    const confirmed = await post(confirmLinkRoute, "/api/auth/email/confirm-link", { token }, signUp.jar);
    expect(confirmed.json).toEqual({ status: "needs_passkey", attemptId: signUp.attemptId, redirectUrl: "/" });
    const { options } = await passkeyOptions(signUp.attemptId, signUp.jar);
    const done = await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: new SoftwareAuthenticator().register(options) }, signUp.jar);
    expect(done.status).toBe(200);
    // The code of the same email is spent with it.
    const again = await typeCode(signUp);
    expect(again.status).toBe(410);
  });

  it("asks for nothing of the passkey before the email is verified", async () => {
    const signUp = await verifiedPasskeySignUp("early");
    const early = await passkeyOptions(signUp.attemptId, signUp.jar);
    expect(early.status).toBe(409);
    const response = new SoftwareAuthenticator().register({ challenge: "AAAA", user: { id: "dXNlcl94" } });
    const finish = await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response }, signUp.jar);
    expect(finish.status).toBe(409);
    expect(await db.emailAddress.count({ where: { emailNormalized: signUp.email } })).toBe(0);
  });

  it("refuses a wrong origin, a wrong rp id and a missing user verification, and makes nothing", async () => {
    const signUp = await verifiedPasskeySignUp("refused");
    await typeCode(signUp);
    const authenticator = new SoftwareAuthenticator();
    for (const bad of [{ origin: "https://evil.example" }, { rpId: "evil.example" }, { userVerified: false }]) {
      const { options } = await passkeyOptions(signUp.attemptId, signUp.jar);
      const refused = await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: authenticator.register(options, bad) }, signUp.jar);
      expect(refused.status, JSON.stringify(bad)).toBe(401);
      expect(errorCode(refused.json)).toBe("invalid_credentials");
    }
    const attempt = await db.signUpAttempt.findUniqueOrThrow({ where: { id: signUp.attemptId } });
    expect(attempt.status).toBe("needs_passkey");
    expect(await db.user.count({ where: { id: attempt.userId! } })).toBe(0);
    expect(await db.passkey.count({ where: { credentialId: authenticator.id } })).toBe(0);
    expect(signUp.jar.values.has(SESSION_COOKIE)).toBe(false);
    // A right answer to a fresh challenge still finishes it.
    const { options } = await passkeyOptions(signUp.attemptId, signUp.jar);
    const done = await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: authenticator.register(options) }, signUp.jar);
    expect(done.status).toBe(200);
  });

  it("refuses a challenge used twice, another sign-up's challenge, an expired one, and another browser", async () => {
    const signUp = await verifiedPasskeySignUp("challenge");
    await typeCode(signUp);
    const authenticator = new SoftwareAuthenticator();
    // A refused answer burns its challenge: the right answer cannot follow it.
    const { options } = await passkeyOptions(signUp.attemptId, signUp.jar);
    await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: authenticator.register(options, { origin: "https://evil.example" }) }, signUp.jar);
    const reused = await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: authenticator.register(options) }, signUp.jar);
    expect(errorCode(reused.json)).toBe("verification_used");

    // Someone else's sign-up challenge, answered in this attempt.
    const other = await verifiedPasskeySignUp("challenge-other");
    await typeCode(other);
    const theirs = await passkeyOptions(other.attemptId, other.jar);
    const crossed = await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: authenticator.register(theirs.options) }, signUp.jar);
    expect(errorCode(crossed.json)).toBe("verification_used");

    // This attempt from another browser (no client cookie of its own) does not exist.
    const stranger = new CookieJar();
    expect((await passkeyOptions(signUp.attemptId, stranger)).status).toBe(404);

    // Five minutes is a challenge's life (the attempt waits ten).
    const clientToken = signUp.jar.values.get(CLIENT_COOKIE)!;
    const stale = await passkeySignUpOptions({ attemptId: signUp.attemptId, clientToken }, context);
    await expect(
      finishPasskeySignUp(
        { attemptId: signUp.attemptId, clientToken, response: authenticator.register(stale as CreationOptions) },
        { ...context, now: new Date(Date.now() + SIX_MINUTES) },
      ),
    ).rejects.toMatchObject({ code: "verification_expired" });

    // After it completes, nothing more: the attempt is done.
    const fresh = await passkeyOptions(signUp.attemptId, signUp.jar);
    expect((await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: authenticator.register(fresh.options) }, signUp.jar)).status).toBe(200);
    expect((await passkeyOptions(signUp.attemptId, signUp.jar)).status).toBe(410);
  });

  it("turned off (or passkeys off) answers 403 at every step; turning it on needs passkeys on", async () => {
    const signUp = await verifiedPasskeySignUp("off");
    await typeCode(signUp);
    const { options } = await passkeyOptions(signUp.attemptId, signUp.jar);
    for (const off of [{ passkeySignUp: false }, { passkeySignIn: false }] satisfies InstanceSettingsPatch[]) {
      await setSettings(off);
      try {
        const start = await post(startRoute, "/api/auth/sign-up/passkey", { email: uniqueEmail("off") }, new CookieJar());
        expect(start.status).toBe(403);
        expect((await passkeyOptions(signUp.attemptId, signUp.jar)).status).toBe(403);
        const finish = await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: new SoftwareAuthenticator().register(options) }, signUp.jar);
        expect(finish.status).toBe(403);
      } finally {
        await setSettings({ passkeySignUp: true, passkeySignIn: true });
      }
    }
    expect(await db.emailAddress.count({ where: { emailNormalized: signUp.email } })).toBe(0);

    await setSettings({ passkeySignUp: false, passkeySignIn: false });
    try {
      await expect(setSettings({ passkeySignUp: true })).rejects.toMatchObject({ code: "validation_failed", fields: { passkeySignUp: [expect.any(String)] } });
    } finally {
      await setSettings({ passkeySignUp: true, passkeySignIn: true });
    }
  });

  it("an account made this way keeps its last way to sign in", async () => {
    const signUp = await verifiedPasskeySignUp("last-way");
    await typeCode(signUp);
    const { options } = await passkeyOptions(signUp.attemptId, signUp.jar);
    await post(verifyRoute, "/api/auth/sign-up/passkey/verify", { attemptId: signUp.attemptId, response: new SoftwareAuthenticator().register(options) }, signUp.jar);
    const userId = decodeJwtPayload(signUp.jar.values.get(SESSION_COOKIE)!).sub as string;
    const [passkey] = await listPasskeys(userId);
    // With email sign-in off, the passkey is all this account has: it stays.
    await setSettings({ emailCodeSignIn: false, emailLinkSignIn: false });
    try {
      await expect(removePasskey({ userId, passkeyId: passkey!.id }, context)).rejects.toMatchObject({ code: "conflict" });
    } finally {
      await setSettings({ emailCodeSignIn: true, emailLinkSignIn: true });
    }
    expect(await listPasskeys(userId)).toHaveLength(1);
  });
});
