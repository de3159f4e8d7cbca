import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { parseOAuthProviderEnv } from "@/lib/config";
import { POST as startRoute } from "@/app/api/auth/oauth/[provider]/start/route";
import { GET as callbackRoute } from "@/app/api/auth/oauth/[provider]/callback/route";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, makeRequest } from "@/test/http";
import { startOAuth2ApiServer } from "@/test/oauth2-api-server";
import { authorizeAtProvider, startOidcProvider, type TestOidcProvider } from "@/test/oidc-provider";
import { beginAuthorization, completeAuthorization, forgetDiscoveredProviders } from "./protocol";
import { PROVIDER_PRESETS, providerFrom, type OAuthProvider } from "./providers";
import { saveOAuthProvider } from "./settings";

const env = (variables: Record<string, string>) => variables as unknown as NodeJS.ProcessEnv;
const callbackFor = (id: string) => `${ORIGIN}/api/auth/oauth/${id}/callback`;

/** Authorize at a plain OAuth 2.0 stub (it redirects at once) and complete at the protocol level. */
async function plainRoundTrip(provider: OAuthProvider) {
  const callbackUrl = callbackFor(provider.id);
  const start = await beginAuthorization(provider, { callbackUrl, redirectUrl: "/", intent: "sign_in", userId: null });
  const redirect = await fetch(start.authorizationUrl, { redirect: "manual" });
  const currentUrl = new URL(redirect.headers.get("location")!);
  return { start, result: await completeAuthorization(provider, { currentUrl, callbackUrl, sealedState: start.sealedState }) };
}

type FacebookAccount = { id: string; name: string; first_name?: string; last_name?: string; email?: string; silhouette?: boolean };

describe("Facebook (Graph API /me)", () => {
  const secret = "fb-app-secret";
  let graph: Awaited<ReturnType<typeof startOAuth2ApiServer<FacebookAccount>>>;
  let facebook: OAuthProvider;
  beforeAll(async () => {
    graph = await startOAuth2ApiServer<FacebookAccount>({
      clientId: "fb-app",
      clientSecret: secret,
      tokenAuth: "client_secret_post",
      api: (path, query, account, token) => {
        if (path !== "/v23.0/me") return null;
        // Graph refuses a call whose appsecret_proof is not the token's HMAC under the app secret.
        if (query.get("appsecret_proof") !== crypto.createHmac("sha256", secret).update(token).digest("hex")) return null;
        const { silhouette, ...fields } = account;
        return { ...fields, picture: { data: { url: `https://platform-lookaside.fbsbx.com/${account.id}.jpg`, is_silhouette: Boolean(silhouette) } } };
      },
    });
    facebook = {
      ...PROVIDER_PRESETS.facebook,
      clientId: "fb-app",
      clientSecret: secret,
      authorizationEndpoint: `${graph.base}/authorize`,
      tokenEndpoint: `${graph.base}/token`,
      apiBaseUrl: `${graph.base}/v23.0`,
    };
  });
  afterAll(() => graph?.close());

  it("maps /me: the email counts as verified, the picture unless it is the silhouette", async () => {
    graph.signInAs({ id: "10001", name: "Ada Lovelace", first_name: "Ada", last_name: "Lovelace", email: "ada.fb@example.com" });
    const { start, result } = await plainRoundTrip(facebook);
    expect(new URL(start.authorizationUrl).searchParams.get("scope")).toBe("email public_profile");
    expect(new URL(start.authorizationUrl).searchParams.get("code_challenge_method")).toBe("S256");
    expect(result.identity).toEqual({
      provider: "facebook",
      providerUserId: "10001",
      email: "ada.fb@example.com",
      emailVerified: true,
      username: null,
      imageUrl: "https://platform-lookaside.fbsbx.com/10001.jpg",
      firstName: "Ada",
      lastName: "Lovelace",
    });
    const me = graph.seen.find((request) => request.path === "/v23.0/me")!;
    expect(me.query.get("fields")).toContain("email");
    expect(me.authorization).toMatch(/^Bearer at_/);
    // The app secret went in the token request's form (client_secret_post), never to the Graph API.
    expect(graph.seen.find((request) => request.path === "/token")?.form?.get("client_secret")).toBe(secret);
    expect(me.query.toString()).not.toContain(secret);
  });

  it("has no email when the person did not share one, and no picture for the silhouette", async () => {
    graph.signInAs({ id: "10002", name: "Bo", silhouette: true });
    const { result } = await plainRoundTrip(facebook);
    expect(result.identity).toMatchObject({ email: null, emailVerified: false, imageUrl: null, firstName: "Bo", lastName: null });
  });
});

type XAccount = { id: string; username: string; name: string };

describe("X (OAuth 2.0 with PKCE, /2/users/me)", () => {
  let api: Awaited<ReturnType<typeof startOAuth2ApiServer<XAccount>>>;
  let x: OAuthProvider;
  beforeAll(async () => {
    api = await startOAuth2ApiServer<XAccount>({
      clientId: "x-client",
      clientSecret: "x-secret",
      tokenAuth: "client_secret_basic",
      api: (path, query, account) =>
        path === "/2/users/me" && query.get("user.fields") === "profile_image_url"
          ? { data: { ...account, profile_image_url: `https://pbs.twimg.com/profile_images/${account.id}/me_normal.jpg` } }
          : null,
    });
    x = {
      ...PROVIDER_PRESETS.x,
      clientId: "x-client",
      clientSecret: "x-secret",
      authorizationEndpoint: `${api.base}/authorize`,
      tokenEndpoint: `${api.base}/token`,
      apiBaseUrl: `${api.base}/2`,
    };
    // The preset itself, pointed at the stub, for the routes below (this file's module graph only).
    Object.assign(PROVIDER_PRESETS.x, { authorizationEndpoint: x.authorizationEndpoint, tokenEndpoint: x.tokenEndpoint, apiBaseUrl: x.apiBaseUrl });
    await saveOAuthProvider({ id: "x", clientId: "x-client", clientSecret: "x-secret" }, { actorId: null });
  });
  afterAll(() => api?.close());

  it("maps /users/me with no email, authenticating with HTTP Basic", async () => {
    api.signInAs({ id: "2244994945", username: "ada_x", name: "Ada Lovelace" });
    const { start, result } = await plainRoundTrip(x);
    expect(new URL(start.authorizationUrl).searchParams.get("scope")).toBe("users.read tweet.read");
    expect(result.identity).toEqual({
      provider: "x",
      providerUserId: "2244994945",
      email: null,
      emailVerified: false,
      username: "ada_x",
      imageUrl: "https://pbs.twimg.com/profile_images/2244994945/me_400x400.jpg",
      firstName: "Ada",
      lastName: "Lovelace",
    });
    const token = api.seen.findLast((request) => request.path === "/token")!;
    expect(token.authorization).toMatch(/^Basic /);
    expect(token.form?.get("client_secret")).toBeNull();
  });

  /** Start -> X -> callback through the routes, in one browser. */
  async function xThroughRoutes(jar: CookieJar, body: Record<string, unknown> = {}) {
    const params = { params: Promise.resolve({ provider: "x" }) };
    const start = await startRoute(makeRequest("/api/auth/oauth/x/start", { body, jar }), params);
    jar.absorb(start);
    const { url } = (await start.json()) as { url: string };
    const back = new URL((await fetch(url, { redirect: "manual" })).headers.get("location")!);
    const callback = await callbackRoute(makeRequest(back.pathname + back.search, { jar }), params);
    jar.absorb(callback);
    return callback.headers.get("location");
  }

  it("cannot create an account without an email, but signs in once connected from the account page", async () => {
    api.signInAs({ id: "777", username: "nomail", name: "No Mail" });
    expect(await xThroughRoutes(new CookieJar())).toBe(`${ORIGIN}/sso-callback?error=no_email&provider=x`);
    expect(await db.externalAccount.count({ where: { provider: "x", providerUserId: "777" } })).toBe(0);

    const owner = await signedUpUser();
    expect(await xThroughRoutes(owner.jar, { intent: "connect" })).toBe(`${ORIGIN}/account/connected-accounts?connected=x`);
    const fresh = new CookieJar();
    expect(await xThroughRoutes(fresh)).toBe(`${ORIGIN}/`);
    expect(fresh.values.has("__session")).toBe(true);
    const link = await db.externalAccount.findFirstOrThrow({ where: { provider: "x", providerUserId: "777" } });
    expect(link).toMatchObject({ userId: owner.userId, email: null, emailVerified: false, username: "nomail" });
  });
});

describe("LinkedIn and GitLab (OpenID Connect presets)", () => {
  let linkedinIdp: TestOidcProvider;
  let gitlabIdp: TestOidcProvider;
  beforeAll(async () => {
    // LinkedIn's web flow serves confidential clients without PKCE and wants the secret in the form.
    linkedinIdp = await startOidcProvider({ redirectUris: [callbackFor("linkedin")], pkceRequired: false, tokenEndpointAuthMethod: "client_secret_post" });
    gitlabIdp = await startOidcProvider({ redirectUris: [callbackFor("gitlab")] });
  });
  afterAll(async () => {
    forgetDiscoveredProviders();
    await linkedinIdp?.close();
    await gitlabIdp?.close();
  });

  async function oidcRoundTrip(provider: OAuthProvider, login: string) {
    const callbackUrl = callbackFor(provider.id);
    const start = await beginAuthorization(provider, { callbackUrl, redirectUrl: "/", intent: "sign_in", userId: null });
    const currentUrl = new URL(await authorizeAtProvider(start.authorizationUrl, login));
    return { start, result: await completeAuthorization(provider, { currentUrl, callbackUrl, sealedState: start.sealedState }) };
  }

  it("LinkedIn: no PKCE (LinkedIn refuses a code_verifier), nonce and the verified email from the ID token", async () => {
    const linkedin: OAuthProvider = { ...PROVIDER_PRESETS.linkedin, issuer: linkedinIdp.issuer, clientId: linkedinIdp.clientId, clientSecret: linkedinIdp.clientSecret };
    const { start, result } = await oidcRoundTrip(linkedin, "ada.li@example.com");
    const authorization = new URL(start.authorizationUrl);
    expect(authorization.searchParams.get("code_challenge")).toBeNull();
    expect(authorization.searchParams.get("nonce")).toBeTruthy();
    expect(authorization.searchParams.get("scope")).toBe("openid email profile");
    expect(result.identity).toMatchObject({ provider: "linkedin", email: "ada.li@example.com", emailVerified: true, firstName: "Ada.li", lastName: "Tester" });

    const unverified = await oidcRoundTrip(linkedin, "bo.li+unverified@example.com");
    expect(unverified.result.identity.emailVerified).toBe(false);
  });

  it("GitLab: gitlab.com by default, a self-managed instance by its issuer", async () => {
    expect(providerFrom({ id: "gitlab", clientId: "a", clientSecret: "b" }).issuer).toBe("https://gitlab.com");
    const gitlab = providerFrom({ id: "gitlab", clientId: gitlabIdp.clientId, clientSecret: gitlabIdp.clientSecret, issuer: `${gitlabIdp.issuer}/` });
    expect(gitlab).toMatchObject({ name: "GitLab", mark: "gitlab", issuer: gitlabIdp.issuer });
    const { start, result } = await oidcRoundTrip(gitlab, "cy.gl+noclaim@example.com");
    expect(new URL(start.authorizationUrl).searchParams.get("code_challenge_method")).toBe("S256");
    expect(result.identity).toMatchObject({ provider: "gitlab", email: "cy.gl+noclaim@example.com", emailVerified: false, username: "cy.gl" });
  });

  it("an admin may set GitLab's issuer, never another preset's", async () => {
    const { readInstanceSettings } = await import("@/lib/settings");
    await saveOAuthProvider({ id: "gitlab", clientId: "gl", clientSecret: "gl-secret", issuer: "https://gitlab.example.com" }, { actorId: null });
    await saveOAuthProvider({ id: "linkedin", clientId: "li", clientSecret: "li-secret", issuer: "https://evil.example.com" }, { actorId: null });
    const { settings } = await readInstanceSettings();
    expect(settings.oauthProviders.gitlab?.issuer).toBe("https://gitlab.example.com");
    expect(settings.oauthProviders.linkedin?.issuer).toBeUndefined();
  });
});

describe("the new providers from the environment", () => {
  it("reads Apple's four variables, GitLab's issuer, and reports what is missing", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\\nMIGT\\n-----END PRIVATE KEY-----";
    const { providers, problems } = parseOAuthProviderEnv(env({
      OAUTH_APPLE_CLIENT_ID: "com.example.signin",
      OAUTH_APPLE_TEAM_ID: "TEAM123456",
      OAUTH_APPLE_KEY_ID: "KEY1234567",
      OAUTH_APPLE_PRIVATE_KEY: pem,
      OAUTH_GITLAB_CLIENT_ID: "gl",
      OAUTH_GITLAB_CLIENT_SECRET: "gl-secret",
      OAUTH_GITLAB_ISSUER: "https://gitlab.example.com",
      OAUTH_X_CLIENT_ID: "x",
      OAUTH_X_CLIENT_SECRET: "x-secret",
    }));
    expect(problems).toEqual([]);
    expect(providers).toEqual(
      expect.arrayContaining([
        { id: "apple", clientId: "com.example.signin", clientSecret: "-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----", teamId: "TEAM123456", keyId: "KEY1234567" },
        { id: "gitlab", clientId: "gl", clientSecret: "gl-secret", issuer: "https://gitlab.example.com" },
        { id: "x", clientId: "x", clientSecret: "x-secret" },
      ]),
    );
    const apple = providerFrom(providers.find((entry) => entry.id === "apple")!);
    expect(apple).toMatchObject({ clientSecret: "", appleKey: { teamId: "TEAM123456", keyId: "KEY1234567" }, responseMode: "form_post" });

    expect(parseOAuthProviderEnv(env({ OAUTH_APPLE_CLIENT_ID: "com.example.signin" })).problems).toEqual(
      expect.arrayContaining([expect.stringContaining("OAUTH_APPLE_TEAM_ID"), expect.stringContaining("OAUTH_APPLE_PRIVATE_KEY")]),
    );
    expect(parseOAuthProviderEnv(env({ OAUTH_OIDC_APPLE_ISSUER: "https://a.example", OAUTH_OIDC_APPLE_CLIENT_ID: "a", OAUTH_OIDC_APPLE_CLIENT_SECRET: "b" })).problems).toEqual([
      expect.stringContaining("built-in provider"),
    ]);
  });
});
