import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { saveOAuthProvider, forgetDiscoveredProviders } from "@/lib/oauth";
import { updateInstanceSettings, readInstanceSettings } from "@/lib/settings";
import { POST as startRoute } from "@/app/api/auth/oauth/[provider]/start/route";
import { GET as callbackRoute } from "@/app/api/auth/oauth/[provider]/callback/route";
import { POST as verifyCodeRoute } from "@/app/api/auth/email/verify-code/route";
import { POST as mfaVerifyRoute } from "@/app/api/auth/mfa/verify/route";
import { latestEmailCode, signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, makeRequest, uniqueEmail } from "@/test/http";
import { authorizeAtProvider, startOidcProvider, type TestOidcProvider } from "@/test/oidc-provider";
import { newTotpSecret, totpCodeAt } from "@/lib/mfa";
import { encryptSecret } from "@/lib/crypto";
import { disconnectExternalAccount, listExternalAccounts } from "./oauth-sign-in";

const PROVIDER = "test-oidc";
const params = { params: Promise.resolve({ provider: PROVIDER }) };
let idp: TestOidcProvider;

beforeAll(async () => {
  idp = await startOidcProvider({ redirectUris: [`${ORIGIN}/api/auth/oauth/${PROVIDER}/callback`] });
  await saveOAuthProvider({ id: PROVIDER, issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, name: "Test ID" }, { actorId: null });
});
afterAll(async () => {
  forgetDiscoveredProviders();
  await idp?.close();
});

const withTag = (email: string, tag: string) => email.replace("@", `+${tag}@`);

/** Start -> provider login -> callback, in one browser (jar). Returns where the callback sends it. */
async function roundTrip(login: string, jar = new CookieJar(), body: Record<string, unknown> = {}) {
  const start = await startRoute(makeRequest(`/api/auth/oauth/${PROVIDER}/start`, { body, jar }), params);
  if (start.status !== 200) return { status: start.status, location: null, jar, body: await start.json() };
  jar.absorb(start);
  const { url } = (await start.json()) as { url: string };
  const back = new URL(await authorizeAtProvider(url, login));
  const callback = await callbackRoute(makeRequest(back.pathname + back.search, { jar }), params);
  jar.absorb(callback);
  return { status: callback.status, location: callback.headers.get("location"), jar, callbackUrl: back };
}

const userByEmail = (email: string) => db.user.findFirst({ where: { emailAddresses: { some: { emailNormalized: email.toLowerCase() } } }, include: { externalAccounts: true } });

describe("OAuth sign-up and sign-in (S5)", () => {
  it("signs up with a provider-verified email, then signs the same user in again", async () => {
    const email = uniqueEmail("oauth");
    const first = await roundTrip(email);
    expect(first.status).toBe(303);
    expect(first.location).toBe(`${ORIGIN}/`);
    expect(first.jar.values.has("__session")).toBe(true);
    const user = await userByEmail(email);
    expect(user?.externalAccounts).toHaveLength(1);
    // The provider's picture (https://images.example.com/..., unreachable here) is not linked: only a copy would be used.
    expect(user?.imageUrl).toBeNull();
    expect(user?.lastName).toBe("Tester");

    const again = await roundTrip(email);
    expect(again.location).toBe(`${ORIGIN}/`);
    expect(await db.user.count({ where: { emailAddresses: { some: { emailNormalized: email } } } })).toBe(1);
    const audit = await db.auditEvent.findFirst({ where: { type: "sign_in.succeeded", actorId: user!.id }, orderBy: { createdAt: "desc" } });
    expect(audit?.data).toMatchObject({ factor: `oauth_${PROVIDER}` });
    expect(await db.auditEvent.count({ where: { type: "external_account.linked", actorId: user!.id } })).toBe(1);
  });

  it("returns to an allowed redirect_url only", async () => {
    const ok = await roundTrip(uniqueEmail("oauth"), new CookieJar(), { redirectUrl: "/dashboard?tab=1" });
    expect(ok.location).toBe(`${ORIGIN}/dashboard?tab=1`);
    const evil = await roundTrip(uniqueEmail("oauth"), new CookieJar(), { redirectUrl: "https://evil.example.net/steal" });
    expect(evil.location).toBe(`${ORIGIN}/`);
  });

  it("lands a new account on the after-sign-up URL and a returning one on the after-sign-in URL; redirect_url wins (S8)", async () => {
    const { version } = await readInstanceSettings();
    await updateInstanceSettings({ afterSignUpUrl: "/welcome", afterSignInUrl: "/home" }, { expectedVersion: version });
    try {
      const email = uniqueEmail("oauth-landing");
      expect((await roundTrip(email)).location).toBe(`${ORIGIN}/welcome`);
      expect((await roundTrip(email)).location).toBe(`${ORIGIN}/home`);
      expect((await roundTrip(email, new CookieJar(), { redirectUrl: "/dashboard" })).location).toBe(`${ORIGIN}/dashboard`);
      expect((await roundTrip(uniqueEmail("oauth-landing"), new CookieJar(), { redirectUrl: "/dashboard" })).location).toBe(`${ORIGIN}/dashboard`);
    } finally {
      const current = await readInstanceSettings();
      await updateInstanceSettings({ afterSignUpUrl: "/", afterSignInUrl: "/" }, { expectedVersion: current.version });
    }
  });

  it("links to an existing account through an email verified on both sides", async () => {
    const existing = await signedUpUser();
    const result = await roundTrip(existing.email);
    expect(result.location).toBe(`${ORIGIN}/`);
    const user = await userByEmail(existing.email);
    expect(user?.id).toBe(existing.userId);
    expect(user?.externalAccounts.map((account) => account.provider)).toEqual([PROVIDER]);
  });

  it.each(["unverified", "noclaim"])("refuses to link when the provider's email claim is %s", async (tag) => {
    const existing = await signedUpUser({ email: withTag(uniqueEmail("victim"), tag) });
    const result = await roundTrip(existing.email);
    expect(result.location).toBe(`${ORIGIN}/sso-callback?error=email_taken&provider=${PROVIDER}`);
    expect(result.jar.values.has("__session")).toBe(false);
    expect(await db.externalAccount.count({ where: { userId: existing.userId } })).toBe(0);
  });

  it("verifies an email the provider did not vouch for before the account exists", async () => {
    const email = withTag(uniqueEmail("new"), "unverified");
    const result = await roundTrip(email);
    const location = new URL(result.location!);
    expect(location.pathname).toBe("/sso-callback");
    expect(location.searchParams.get("step")).toBe("verify");
    expect(await userByEmail(email)).toBeNull();

    const code = await latestEmailCode(email);
    const verified = await verifyCodeRoute(makeRequest("/api/auth/email/verify-code", { body: { attemptId: location.searchParams.get("attempt"), code }, jar: result.jar }));
    expect(verified.status).toBe(200);
    const user = await userByEmail(email);
    expect(user?.externalAccounts).toHaveLength(1);
    expect(user?.externalAccounts[0]?.provider).toBe(PROVIDER);
  });

  it("asks an MFA user for the second factor; no session before it", async () => {
    const existing = await signedUpUser();
    const secret = newTotpSecret();
    await db.user.update({ where: { id: existing.userId }, data: { mfaEnabled: true } });
    await db.mfaFactor.create({
      data: { id: `mfa_${Date.now()}`, userId: existing.userId, type: "totp", secretEncrypted: encryptSecret(secret, "totp-secret"), confirmedAt: new Date() },
    });
    const jar = new CookieJar();
    const result = await roundTrip(existing.email, jar);
    const location = new URL(result.location!);
    expect(location.searchParams.get("step")).toBe("second_factor");
    expect(jar.values.has("__session")).toBe(false);

    const done = await mfaVerifyRoute(
      makeRequest("/api/auth/mfa/verify", { body: { attemptId: location.searchParams.get("attempt"), method: "totp", code: await totpCodeAt(secret, new Date()) }, jar }),
    );
    expect(done.status).toBe(200);
    const audit = await db.auditEvent.findFirst({ where: { type: "sign_in.succeeded", actorId: existing.userId }, orderBy: { createdAt: "desc" } });
    expect(audit?.data).toMatchObject({ factor: `oauth_${PROVIDER}`, secondFactor: "totp" });
  });

  it("refuses a suspended account", async () => {
    const existing = await signedUpUser();
    await db.user.update({ where: { id: existing.userId }, data: { banned: true } });
    const result = await roundTrip(existing.email);
    expect(result.location).toBe(`${ORIGIN}/sso-callback?error=suspended&provider=${PROVIDER}`);
  });

  it("refuses a provider account without an email", async () => {
    const result = await roundTrip(`nomail-${Date.now()}`);
    expect(result.location).toBe(`${ORIGIN}/sso-callback?error=no_email&provider=${PROVIDER}`);
  });

  it("refuses a replayed callback and a callback in a browser without the flow cookie", async () => {
    const jar = new CookieJar();
    const first = await roundTrip(uniqueEmail("oauth"), jar);
    expect(first.location).toBe(`${ORIGIN}/`);
    const replay = await callbackRoute(makeRequest(first.callbackUrl!.pathname + first.callbackUrl!.search, { jar }), params);
    expect(replay.headers.get("location")).toBe(`${ORIGIN}/sso-callback?error=state_missing&provider=${PROVIDER}`);

    // Someone else's callback URL opened in this browser (login CSRF): no flow cookie for it here.
    const stranger = await roundTrip(uniqueEmail("attacker"));
    const victim = new CookieJar();
    const planted = await callbackRoute(makeRequest(stranger.callbackUrl!.pathname + stranger.callbackUrl!.search, { jar: victim }), params);
    expect(planted.headers.get("location")).toContain("error=state_missing");
    expect(planted.headers.getSetCookie().some((cookie) => cookie.startsWith("__session="))).toBe(false);
  });

  it("answers 404 for a provider that is not configured", async () => {
    const start = await startRoute(makeRequest("/api/auth/oauth/nope/start", { body: {} }), { params: Promise.resolve({ provider: "nope" }) });
    expect(start.status).toBe(404);
  });
});

describe("Connected accounts (S5, S7)", () => {
  it("connects a provider to the signed-in user only, and refuses one connected elsewhere", async () => {
    const owner = await signedUpUser();
    const providerLogin = uniqueEmail("other-address");
    const connected = await roundTrip(providerLogin, owner.jar, { intent: "connect" });
    expect(connected.location).toBe(`${ORIGIN}/account/connected-accounts?connected=${PROVIDER}`);
    const accounts = await listExternalAccounts(owner.userId);
    expect(accounts.map((account) => account.email)).toEqual([providerLogin]);
    // The provider's address did not become a user, nor an address of this one.
    expect(await userByEmail(providerLogin)).toBeNull();

    const someoneElse = await signedUpUser();
    const refused = await roundTrip(providerLogin, someoneElse.jar, { intent: "connect" });
    expect(refused.location).toBe(`${ORIGIN}/sso-callback?error=already_connected&provider=${PROVIDER}&intent=connect`);
  });

  it("needs a signed-in browser to connect", async () => {
    const start = await startRoute(makeRequest(`/api/auth/oauth/${PROVIDER}/start`, { body: { intent: "connect" } }), params);
    expect(start.status).toBe(401);
  });

  it("never removes the last way to sign in", async () => {
    const email = uniqueEmail("only-oauth");
    await roundTrip(email);
    const user = (await userByEmail(email))!;
    const [account] = await listExternalAccounts(user.id);
    const context = { ip: null, userAgent: null };

    // Emailed codes still sign this user in: disconnecting is allowed...
    const { version } = await readInstanceSettings();
    await updateInstanceSettings({ emailCodeSignIn: false, emailLinkSignIn: false }, { expectedVersion: version });
    try {
      // ...but with emailed codes and links off and no password, the provider is the only way in.
      await expect(disconnectExternalAccount({ userId: user.id, externalAccountId: account!.id }, context)).rejects.toMatchObject({ code: "conflict" });
      expect(await db.externalAccount.count({ where: { userId: user.id } })).toBe(1);
    } finally {
      const current = await readInstanceSettings();
      await updateInstanceSettings({ emailCodeSignIn: true, emailLinkSignIn: true }, { expectedVersion: current.version });
    }
    await disconnectExternalAccount({ userId: user.id, externalAccountId: account!.id }, context);
    expect(await db.externalAccount.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { type: "external_account.unlinked", actorId: user.id } })).toBe(1);
  });
});
