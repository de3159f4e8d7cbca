import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { forgetDiscoveredProviders, saveOAuthProvider } from "@/lib/oauth";
import { forgetCachedSettings, readInstanceSettings, updateInstanceSettings, type InstanceSettingsPatch } from "@/lib/settings";
import { createUser, SIGN_IN_BLOCKED_MESSAGE, SIGN_UP_RESTRICTED_MESSAGE } from "@/lib/users";
import { POST as signUpRoute } from "@/app/api/auth/sign-up/route";
import { POST as signInRoute } from "@/app/api/auth/sign-in/route";
import { POST as emailSendRoute } from "@/app/api/auth/email/send/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as confirmLinkRoute } from "@/app/api/auth/email/confirm-link/route";
import { POST as resetSendRoute } from "@/app/api/auth/password-reset/send/route";
import { POST as passwordRoute } from "@/app/api/account/password/route";
import { POST as oauthStartRoute } from "@/app/api/auth/oauth/[provider]/start/route";
import { GET as oauthCallbackRoute } from "@/app/api/auth/oauth/[provider]/callback/route";
import { latestEmailCode, signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, STRONG_PASSWORD, makeRequest } from "@/test/http";
import { authorizeAtProvider, startOidcProvider, type TestOidcProvider } from "@/test/oidc-provider";

/**
 * S8 settings enforced server-side: sign-up mode, allowlist and blocklist on
 * every sign-up and sign-in path (password, emailed code and link, OAuth with
 * a real provider), the first-factor switches and the password length.
 */
const PROVIDER = "policy-oidc";
const providerParams = { params: Promise.resolve({ provider: PROVIDER }) };
let idp: TestOidcProvider;

beforeAll(async () => {
  idp = await startOidcProvider({ redirectUris: [`${ORIGIN}/api/auth/oauth/${PROVIDER}/callback`] });
  await saveOAuthProvider({ id: PROVIDER, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, name: "Policy ID" }, { actorId: null });
});
afterAll(async () => {
  forgetDiscoveredProviders();
  await idp?.close();
});

/** Back to defaults after each test, keeping the provider the file registered. */
afterEach(async () => {
  const { settings, version } = await readInstanceSettings();
  await updateInstanceSettings(
    {
      signUpMode: "public",
      allowlist: [],
      blocklist: [],
      passwordSignIn: true,
      emailCodeSignIn: true,
      emailLinkSignIn: true,
      oauthSignIn: true,
      passwordMinLength: 8,
      emailVerificationAtSignUp: true,
      oauthProviders: settings.oauthProviders,
    },
    { expectedVersion: version },
  );
  forgetCachedSettings();
});

async function setSettings(patch: InstanceSettingsPatch) {
  const { version } = await readInstanceSettings();
  await updateInstanceSettings(patch, { expectedVersion: version });
}

const emailAt = (domain: string, label = "user") => `${label}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}@${domain}`;
const userCount = (email: string) => db.user.count({ where: { emailAddresses: { some: { emailNormalized: email.toLowerCase() } } } });

async function call(route: (request: never) => Promise<Response>, path: string, body: unknown, jar = new CookieJar()) {
  const response = await route(makeRequest(path, { body, jar }) as never);
  jar.absorb(response);
  return { status: response.status, json: (await response.json()) as { status?: string; attemptId?: string; errors?: { code: string; message: string; field?: string }[] }, jar };
}

/** Start -> provider login -> callback in one browser; where the callback sends it. */
async function oauthRoundTrip(login: string, jar = new CookieJar()) {
  const start = await oauthStartRoute(makeRequest(`/api/auth/oauth/${PROVIDER}/start`, { body: {}, jar }), providerParams);
  if (start.status !== 200) return { status: start.status, location: null, jar, json: await start.json() };
  jar.absorb(start);
  const { url } = (await start.json()) as { url: string };
  const back = new URL(await authorizeAtProvider(url, login));
  const callback = await oauthCallbackRoute(makeRequest(back.pathname + back.search, { jar }), providerParams);
  jar.absorb(callback);
  return { status: callback.status, location: callback.headers.get("location"), jar, json: null };
}

describe("sign-up mode and allowlist (S8)", () => {
  it("restricted: a stranger is refused at password sign-up with the clear message; nothing is stored", async () => {
    await setSettings({ signUpMode: "restricted", allowlist: ["partner.test"] });
    const email = emailAt("stranger.test");
    const refused = await call(signUpRoute, "/api/auth/sign-up", { email, password: STRONG_PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.json.errors).toEqual([{ code: "forbidden", message: SIGN_UP_RESTRICTED_MESSAGE, field: "email" }]);
    expect(await db.signUpAttempt.count({ where: { emailAddress: email } })).toBe(0);
    expect(await db.outboxMessage.count({ where: { to: email } })).toBe(0);
    // The emailed-code sign-up path asks the same question.
    const byCode = await call(emailSendRoute, "/api/auth/email/send", { email, intent: "sign_up" });
    expect(byCode.status).toBe(403);
    expect(byCode.json.errors?.[0]?.message).toBe(SIGN_UP_RESTRICTED_MESSAGE);
  });

  it("restricted: an allowlisted domain or address signs up (entries normalized: case, leading @)", async () => {
    await setSettings({ signUpMode: "restricted", allowlist: ["@Partner.TEST", "Ada@Elsewhere.test"] });
    expect((await readInstanceSettings()).settings.allowlist).toEqual(["partner.test", "ada@elsewhere.test"]);
    const byDomain = await signedUpUser({ email: emailAt("partner.test") });
    expect(await userCount(byDomain.email)).toBe(1);
    const byAddress = await signedUpUser({ email: "ada@elsewhere.test" });
    expect(await userCount(byAddress.email)).toBe(1);
    // A subdomain is another domain.
    const sub = await call(signUpRoute, "/api/auth/sign-up", { email: emailAt("eu.partner.test"), password: STRONG_PASSWORD });
    expect(sub.status).toBe(403);
  });

  it("restricted: OAuth sign-up of a stranger is refused on its own page; an allowlisted address signs up", async () => {
    await setSettings({ signUpMode: "restricted", allowlist: ["partner.test"] });
    const stranger = emailAt("stranger.test");
    const refused = await oauthRoundTrip(stranger);
    expect(refused.location).toBe(`${ORIGIN}/sso-callback?error=sign_up_restricted&provider=${PROVIDER}`);
    expect(refused.jar.values.has("__session")).toBe(false);
    expect(await userCount(stranger)).toBe(0);
    // A provider that does not vouch for the address: refused before any code is emailed.
    const unverified = emailAt("stranger.test").replace("@", "+unverified@");
    expect((await oauthRoundTrip(unverified)).location).toContain("error=sign_up_restricted");
    expect(await db.outboxMessage.count({ where: { to: unverified } })).toBe(0);

    const partner = emailAt("partner.test");
    const allowed = await oauthRoundTrip(partner);
    expect(allowed.location).toBe(`${ORIGIN}/`);
    expect(await userCount(partner)).toBe(1);
    // Existing users still sign in while sign-ups are closed.
    await setSettings({ allowlist: [] });
    expect((await oauthRoundTrip(partner)).location).toBe(`${ORIGIN}/`);
  });

  it("createUser refuses on its own too (the last line of defence), in the caller's transaction", async () => {
    const settings = { signUpMode: "restricted" as const, allowlist: ["partner.test"], blocklist: [] };
    const email = emailAt("stranger.test");
    await expect(
      db.$transaction((tx) =>
        createUser(tx, { email, emailNormalized: email, emailVerified: true, method: "test", signUpPolicy: { settings, invitationId: null } }, { ip: null, userAgent: null }),
      ),
    ).rejects.toMatchObject({ code: "forbidden", message: SIGN_UP_RESTRICTED_MESSAGE });
    expect(await userCount(email)).toBe(0);
  });

  it("a blocklisted domain cannot sign up, even in public mode", async () => {
    await setSettings({ blocklist: ["spam.test"] });
    const refused = await call(signUpRoute, "/api/auth/sign-up", { email: emailAt("SPAM.test"), password: STRONG_PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.json.errors?.[0]).toMatchObject({ code: "forbidden", field: "email" });
  });
});

describe("blocklist at sign-in (S8)", () => {
  it("refuses a blocklisted domain at the identifier step of password, emailed-code and reset, for known and unknown addresses alike", async () => {
    const known = await signedUpUser({ email: emailAt("blocked.test") });
    await setSettings({ blocklist: ["blocked.test"] });
    const unknown = emailAt("blocked.test");
    for (const email of [known.email, unknown]) {
      const password = await call(signInRoute, "/api/auth/sign-in", { email, password: known.password });
      expect(password.status).toBe(403);
      expect(password.json.errors).toEqual([{ code: "forbidden", message: SIGN_IN_BLOCKED_MESSAGE, field: "email" }]);
      const code = await call(emailSendRoute, "/api/auth/email/send", { email, intent: "sign_in" });
      expect(code.status).toBe(403);
      expect(code.json.errors?.[0]?.message).toBe(SIGN_IN_BLOCKED_MESSAGE);
      expect((await call(resetSendRoute, "/api/auth/password-reset/send", { email })).status).toBe(403);
    }
    expect(await db.session.count({ where: { userId: known.userId, status: "active" } })).toBe(1);
    expect(await db.signInAttempt.count({ where: { identifier: known.email } })).toBe(0);
  });

  it("refuses a user with a blocklisted address before any session opens, whatever proved who they are (OAuth)", async () => {
    const email = emailAt("corp.test");
    expect((await oauthRoundTrip(email)).location).toBe(`${ORIGIN}/`);
    await setSettings({ blocklist: [email] });
    const refused = await oauthRoundTrip(email);
    expect(refused.location).toBe(`${ORIGIN}/sso-callback?error=sign_in_blocked&provider=${PROVIDER}`);
    expect(refused.jar.values.has("__session")).toBe(false);
  });
});

describe("first-factor switches (S8)", () => {
  it("disabled password sign-in is refused server-side (and its reset), with a clear message", async () => {
    const user = await signedUpUser();
    await setSettings({ passwordSignIn: false });
    const refused = await call(signInRoute, "/api/auth/sign-in", { email: user.email, password: user.password });
    expect(refused.status).toBe(403);
    expect(refused.json.errors?.[0]?.message).toMatch(/password is turned off/);
    expect((await call(resetSendRoute, "/api/auth/password-reset/send", { email: user.email })).status).toBe(403);
    // Unknown addresses get the same answer.
    expect((await call(signInRoute, "/api/auth/sign-in", { email: emailAt("nobody.test"), password: "whatever it is 1" })).status).toBe(403);
  });

  it("email code and email link switch separately: the email carries only what is on, and the other is refused", async () => {
    const user = await signedUpUser();
    await setSettings({ emailLinkSignIn: false });
    const jar = new CookieJar();
    const sent = await call(emailSendRoute, "/api/auth/email/send", { email: user.email, intent: "sign_in" }, jar);
    expect(sent.status).toBe(200);
    const message = await db.outboxMessage.findFirstOrThrow({ where: { to: user.email, template: "sign_in_code" }, orderBy: { createdAt: "desc" } });
    const payload = message.payload as { text: string; subject: string };
    expect(payload.text).not.toContain("/sign-in/confirm?token=");
    expect(payload.subject).toMatch(/^\d{6} is your/);
    const done = await call(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId: sent.json.attemptId, code: await latestEmailCode(user.email) }, jar);
    expect(done.status).toBe(200);

    // Another user: the first one's address is in its 30 s resend cooldown.
    const other = await signedUpUser();
    await setSettings({ emailLinkSignIn: true, emailCodeSignIn: false });
    const linkJar = new CookieJar();
    const linkSent = await call(emailSendRoute, "/api/auth/email/send", { email: other.email, intent: "sign_in" }, linkJar);
    expect(linkSent.status).toBe(200);
    const linkMessage = await db.outboxMessage.findFirstOrThrow({ where: { to: other.email, template: "sign_in_code" }, orderBy: { createdAt: "desc" } });
    const linkPayload = linkMessage.payload as { text: string; subject: string; preview?: { code?: string } };
    expect(linkPayload.subject).toMatch(/sign-in link$/);
    expect(linkPayload.preview?.code).toBeUndefined();
    const token = new URL(linkPayload.text.match(/https?:\/\/\S*\/sign-in\/confirm\?token=[\w-]+/)![0]).searchParams.get("token");
    // A code (guessed or from an earlier email) no longer signs in...
    const byCode = await call(verifyCodeRoute, "/api/auth/email/verify-code", { attemptId: linkSent.json.attemptId, code: "123456" }, linkJar);
    expect(byCode.status).toBe(403);
    // ...the link in the same browser does.
    const byLink = await call(confirmLinkRoute, "/api/auth/email/confirm-link", { token }, linkJar);
    expect(byLink.status, JSON.stringify(byLink.json)).toBe(200);
    expect(byLink.json.status).toBe("complete");

    await setSettings({ emailLinkSignIn: false, emailCodeSignIn: false });
    const neither = await call(emailSendRoute, "/api/auth/email/send", { email: emailAt("example.org"), intent: "sign_in" });
    expect(neither.status).toBe(403);
    expect(neither.json.errors?.[0]?.message).toMatch(/emailed code or link is turned off/);
  });

  it("OAuth off: starting a sign-in is refused (403) and an answer already on its way is not used", async () => {
    const jar = new CookieJar();
    const start = await oauthStartRoute(makeRequest(`/api/auth/oauth/${PROVIDER}/start`, { body: {}, jar }), providerParams);
    jar.absorb(start);
    const { url } = (await start.json()) as { url: string };
    await setSettings({ oauthSignIn: false });
    const refused = await oauthRoundTrip(emailAt("example.org"));
    expect(refused.status).toBe(403);
    // Turned off while the browser was at the provider.
    const email = emailAt("example.org");
    const back = new URL(await authorizeAtProvider(url, email));
    const callback = await oauthCallbackRoute(makeRequest(back.pathname + back.search, { jar }), providerParams);
    expect(callback.headers.get("location")).toBe(`${ORIGIN}/sso-callback?error=not_configured&provider=${PROVIDER}`);
    expect(await userCount(email)).toBe(0);
  });
});

describe("password minimum length (S3, S8)", () => {
  it("applies at sign-up and at change", async () => {
    const user = await signedUpUser();
    await setSettings({ passwordMinLength: 20 });
    const tooShort = "violet otters jump9";
    expect(Array.from(tooShort)).toHaveLength(19);
    const refused = await call(signUpRoute, "/api/auth/sign-up", { email: emailAt("example.org"), password: tooShort });
    expect(refused.status).toBe(422);
    expect(refused.json.errors?.[0]).toMatchObject({ code: "password_policy", field: "password", message: "Use at least 20 characters." });

    const change = await call(passwordRoute, "/api/account/password", { currentPassword: user.password, newPassword: tooShort, signOutOtherDevices: false }, user.jar);
    expect(change.status).toBe(422);
    expect(change.json.errors?.[0]).toMatchObject({ field: "newPassword", message: "Use at least 20 characters." });
    const longEnough = await call(
      passwordRoute,
      "/api/account/password",
      { currentPassword: user.password, newPassword: "violet otters juggle quietly", signOutOtherDevices: false },
      user.jar,
    );
    expect(longEnough.status, JSON.stringify(longEnough.json)).toBe(200);
  });
});
