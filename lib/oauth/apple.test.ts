import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { exportPKCS8, generateKeyPair, decodeJwt } from "jose";
import { db } from "@/lib/db";
import { POST as startRoute } from "@/app/api/auth/oauth/[provider]/start/route";
import { GET as callbackGet, POST as callbackPost } from "@/app/api/auth/oauth/[provider]/callback/route";
import { authorizeAtAppleLikeProvider, startAppleLikeProvider, type AppleLikeProvider } from "@/test/apple-like-provider";
import { CookieJar, ORIGIN, makeRequest, uniqueEmail } from "@/test/http";
import { appleClientSecret, appleUserName, forgetAppleClientSecrets } from "./apple";
import { openSealedUserName } from "./form-post";
import { forgetDiscoveredProviders } from "./protocol";
import { PROVIDER_PRESETS } from "./providers";
import { saveOAuthProvider } from "./settings";

const CALLBACK = `${ORIGIN}/api/auth/oauth/apple/callback`;
const params = (provider = "apple") => ({ params: Promise.resolve({ provider }) });
const appleIssuer = PROVIDER_PRESETS.apple.issuer;
let apple: AppleLikeProvider;

beforeAll(async () => {
  apple = await startAppleLikeProvider({ redirectUris: [CALLBACK] });
  // The Apple preset, pointed at the local stand-in (this test file's module graph only).
  PROVIDER_PRESETS.apple.issuer = apple.issuer;
  await saveOAuthProvider({ id: "apple", clientId: apple.servicesId, teamId: apple.teamId, keyId: apple.keyId, privateKey: apple.privateKeyPem }, { actorId: null });
});
afterAll(async () => {
  PROVIDER_PRESETS.apple.issuer = appleIssuer;
  forgetDiscoveredProviders();
  await apple?.close();
});

/** Apple's page auto-submits its form to the callback from appleid.apple.com: cross-site, so no Lax cookie and a foreign Origin. */
function formPostFromApple(action: string, fields: URLSearchParams, provider = "apple") {
  return callbackPost(
    new NextRequest(action, {
      method: "POST",
      headers: { origin: apple.issuer, "sec-fetch-site": "cross-site", "content-type": "application/x-www-form-urlencoded", "user-agent": "vitest" },
      body: fields.toString(),
    }),
    params(provider),
  );
}

/** Start in this browser (jar), sign in at "Apple", and return the form its page would post back. */
async function startAndAuthorize(login: string, jar: CookieJar) {
  const start = await startRoute(makeRequest("/api/auth/oauth/apple/start", { body: {}, jar }), params());
  expect(start.status).toBe(200);
  jar.absorb(start);
  const { url } = (await start.json()) as { url: string };
  return { authorizationUrl: new URL(url), ...(await authorizeAtAppleLikeProvider(url, login)) };
}

/** The form post, its 303, then the GET it leads to in the same browser. */
async function completeInBrowser(action: string, fields: URLSearchParams, jar: CookieJar) {
  const posted = await formPostFromApple(action, fields);
  expect(posted.status).toBe(303);
  const next = new URL(posted.headers.get("location")!);
  const finished = await callbackGet(makeRequest(next.pathname + next.search, { jar }), params());
  jar.absorb(finished);
  return { posted, next, finished, location: finished.headers.get("location") };
}

const userByEmail = (email: string) => db.user.findFirst({ where: { emailAddresses: { some: { emailNormalized: email } } }, include: { externalAccounts: true } });

describe("Sign in with Apple: form post callback and private-key client secret", () => {
  it("signs up through the form post (POST -> 303 -> GET), names the user from the first post, and signs in again", async () => {
    const email = uniqueEmail("apple");
    const jar = new CookieJar();
    const first = await startAndAuthorize(email, jar);
    expect(first.authorizationUrl.searchParams.get("response_mode")).toBe("form_post");
    expect(first.authorizationUrl.searchParams.get("scope")).toBe("name email");
    expect(first.authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(first.authorizationUrl.searchParams.get("nonce")).toBeTruthy();
    expect(first.action).toBe(CALLBACK);
    expect(first.fields.get("user")).toContain("Appleseed");

    const { posted, next, location } = await completeInBrowser(first.action, first.fields, jar);
    // The POST only redirects: no cookie set, the name sealed (not readable in the URL).
    expect(posted.headers.getSetCookie()).toEqual([]);
    expect(`${next.origin}${next.pathname}`).toBe(CALLBACK);
    expect(next.searchParams.get("state")).toBe(first.fields.get("state"));
    expect(next.searchParams.get("sealed_user")).toBeTruthy();
    expect(next.href).not.toContain("Appleseed");
    expect(location).toBe(`${ORIGIN}/`);
    expect(jar.values.has("__session")).toBe(true);

    const user = await userByEmail(email);
    const local = email.split("@")[0]!;
    expect(user).toMatchObject({ firstName: local.charAt(0).toUpperCase() + local.slice(1), lastName: "Appleseed" });
    expect(user?.externalAccounts).toMatchObject([{ provider: "apple", providerUserId: email, emailVerified: true }]);

    // The client secret Apple (the stub) verified: ES256 under the team's key, naming team, Services ID and Apple.
    const secret = apple.acceptedSecrets.at(-1)!;
    expect(secret.kid).toBe(apple.keyId);
    expect(secret.claims).toMatchObject({ iss: apple.teamId, sub: apple.servicesId, aud: apple.issuer });
    expect(secret.claims.exp! - secret.claims.iat!).toBeLessThanOrEqual(3600);

    // Again: Apple sends no name this time; same user, same name, and the client secret is reused.
    const againJar = new CookieJar();
    const again = await startAndAuthorize(email, againJar);
    expect(again.fields.has("user")).toBe(false);
    const { location: secondLocation } = await completeInBrowser(again.action, again.fields, againJar);
    expect(secondLocation).toBe(`${ORIGIN}/`);
    expect(await db.user.count({ where: { emailAddresses: { some: { emailNormalized: email } } } })).toBe(1);
    expect((await userByEmail(email))?.lastName).toBe("Appleseed");
    expect(apple.acceptedSecrets.at(-1)!.jwt).toBe(secret.jwt);
  });

  it("refuses a form post whose state is not this browser's flow, and one without the flow cookie", async () => {
    const victim = new CookieJar();
    await startAndAuthorize(uniqueEmail("victim"), victim); // the victim's browser holds its own flow cookie
    const attacker = await startAndAuthorize(uniqueEmail("attacker"), new CookieJar());

    // The attacker's own code and state, posted into the victim's browser (login CSRF).
    const forged = await completeInBrowser(attacker.action, attacker.fields, victim);
    expect(forged.location).toBe(`${ORIGIN}/sso-callback?error=state_mismatch&provider=apple`);
    expect(victim.values.has("__session")).toBe(false);

    // A made-up state, and a browser with no flow at all.
    const made = await completeInBrowser(CALLBACK, new URLSearchParams({ code: "stolen", state: "made-up" }), new CookieJar());
    expect(made.location).toBe(`${ORIGIN}/sso-callback?error=state_missing&provider=apple`);
  });

  it("accepts the cross-site POST only for a form-post provider, only as a form", async () => {
    const fields = new URLSearchParams({ code: "c", state: "s" });
    expect((await formPostFromApple(`${ORIGIN}/api/auth/oauth/github/callback`, fields, "github")).status).toBe(404);
    const json = await callbackPost(
      new NextRequest(CALLBACK, { method: "POST", headers: { origin: apple.issuer, "content-type": "application/json" }, body: JSON.stringify({ code: "c", state: "s" }) }),
      params(),
    );
    expect(json.status).toBe(415);
    const huge = await formPostFromApple(CALLBACK, new URLSearchParams({ code: "c".repeat(20_000), state: "s" }));
    expect(huge.status).toBe(413);
  });

  it("reads email_verified \"false\" as unverified: our own email verification comes first", async () => {
    const email = uniqueEmail("apple").replace("@", "+unverified@");
    const jar = new CookieJar();
    const flow = await startAndAuthorize(email, jar);
    const { location } = await completeInBrowser(flow.action, flow.fields, jar);
    expect(new URL(location!).searchParams.get("step")).toBe("verify");
    expect(await userByEmail(email)).toBeNull();
  });

  it("reports cancelling at Apple as consent denied", async () => {
    const jar = new CookieJar();
    const start = await startRoute(makeRequest("/api/auth/oauth/apple/start", { body: {}, jar }), params());
    jar.absorb(start);
    const { url } = (await start.json()) as { url: string };
    const cancelled = await authorizeAtAppleLikeProvider(url, "x@example.com", { abort: true });
    const { location } = await completeInBrowser(cancelled.action, cancelled.fields, jar);
    expect(location).toBe(`${ORIGIN}/sso-callback?error=access_denied&provider=apple`);
  });

  it("fails cleanly when Apple refuses the client secret (a key that is not the team's)", async () => {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    await saveOAuthProvider({ id: "apple", clientId: apple.servicesId, teamId: apple.teamId, keyId: apple.keyId, privateKey: await exportPKCS8(privateKey) }, { actorId: null });
    try {
      const jar = new CookieJar();
      const flow = await startAndAuthorize(uniqueEmail("apple"), jar);
      const { location } = await completeInBrowser(flow.action, flow.fields, jar);
      expect(location).toBe(`${ORIGIN}/sso-callback?error=provider_error&provider=apple`);
      expect(apple.refusedSecrets.length).toBeGreaterThan(0);
    } finally {
      await saveOAuthProvider({ id: "apple", clientId: apple.servicesId, teamId: apple.teamId, keyId: apple.keyId, privateKey: apple.privateKeyPem }, { actorId: null });
    }
  });
});

describe("Apple's pieces", () => {
  it("mints the client secret once and reuses it until ten minutes before expiry", async () => {
    forgetAppleClientSecrets();
    const key = { teamId: apple.teamId, keyId: apple.keyId, privateKey: apple.privateKeyPem };
    const now = Date.now();
    const input = { clientId: apple.servicesId, audience: "https://appleid.apple.com", now };
    const first = await appleClientSecret(key, input);
    expect(await appleClientSecret(key, { ...input, now: now + 49 * 60_000 })).toBe(first);
    const renewed = await appleClientSecret(key, { ...input, now: now + 51 * 60_000 });
    expect(renewed).not.toBe(first);
    expect(decodeJwt(renewed)).toMatchObject({ iss: apple.teamId, sub: apple.servicesId, aud: "https://appleid.apple.com" });
  });

  it("takes the name from the user field only, and a sealed name only for its own flow", async () => {
    expect(appleUserName('{"name":{"firstName":" Ada ","lastName":"Lovelace"},"email":"evil@example.com"}')).toEqual({ firstName: "Ada", lastName: "Lovelace" });
    expect(appleUserName("not json")).toEqual({ firstName: null, lastName: null });
    expect(appleUserName('{"name":"Ada"}')).toEqual({ firstName: null, lastName: null });

    const { formPostRedirect } = await import("./form-post");
    const location = new URL(
      await formPostRedirect({ providerId: "apple", callbackUrl: CALLBACK, response: { code: "c", state: "state-1", user: '{"name":{"firstName":"Ada"}}' } }),
    );
    const sealed = location.searchParams.get("sealed_user");
    expect(openSealedUserName(sealed, "state-1")).toEqual({ firstName: "Ada", lastName: null });
    expect(openSealedUserName(sealed, "state-2")).toEqual({ firstName: null, lastName: null });
    expect(openSealedUserName("v1.forged.value.x", "state-1")).toEqual({ firstName: null, lastName: null });
  });

  it("stores the private key encrypted and refuses what is not an Apple key", async () => {
    const row = await db.instanceSettings.findUniqueOrThrow({ where: { id: "default" } });
    expect(JSON.stringify(row.data)).not.toContain("PRIVATE KEY");
    expect((row.data as { oauthProviders: Record<string, unknown> }).oauthProviders.apple).toMatchObject({ teamId: apple.teamId, keyId: apple.keyId });
    const audit = await db.auditEvent.findMany({ where: { type: "settings.updated" } });
    expect(JSON.stringify(audit.map((event) => event.data))).not.toContain("PRIVATE KEY");

    await expect(
      saveOAuthProvider({ id: "apple", clientId: "com.example.signin", teamId: "short", privateKey: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" }, { actorId: null }),
    ).rejects.toMatchObject({ code: "validation_failed", fields: { teamId: expect.any(Array) } });
    await expect(
      saveOAuthProvider({ id: "apple", clientId: "com.example.signin", teamId: "TEAM123456", privateKey: "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----" }, { actorId: null }),
    ).rejects.toMatchObject({ code: "validation_failed", fields: { keyId: expect.any(Array), privateKey: expect.any(Array) } });
    await expect(
      saveOAuthProvider({ id: "apple", clientId: "com.example.signin", teamId: "TEAM123456", keyId: "KEY1234567", clientSecret: "a-secret" }, { actorId: null }),
    ).rejects.toMatchObject({ code: "validation_failed", fields: { clientSecret: expect.any(Array) } });
  });
});
