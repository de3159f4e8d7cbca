import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMisbehavingOidcServer, type IdTokenOverrides } from "@/test/misbehaving-oidc-server";
import { authorizeAtProvider, startOidcProvider, type TestOidcProvider } from "@/test/oidc-provider";
import { beginAuthorization, completeAuthorization, forgetDiscoveredProviders } from "./protocol";
import { providerFrom, type OAuthProvider } from "./providers";
import { OAuthFlowError } from "./errors";
import { sealFlowState } from "./flow-state";

const PORTAL = "http://localhost:3999";
const CALLBACK = `${PORTAL}/api/auth/oauth/test-oidc/callback`;

let idp: TestOidcProvider;
let provider: OAuthProvider;

beforeAll(async () => {
  idp = await startOidcProvider({ redirectUris: [CALLBACK] });
  provider = providerFrom({ id: "test-oidc", issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, name: "Test ID" });
});
afterAll(async () => {
  forgetDiscoveredProviders();
  await idp?.close();
});

async function roundTrip(login: string) {
  const start = await beginAuthorization(provider, { callbackUrl: CALLBACK, redirectUrl: "/", intent: "sign_in", userId: null });
  const callback = await authorizeAtProvider(start.authorizationUrl, login);
  return { start, callback: new URL(callback) };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OAuthFlowError);
  return (error as OAuthFlowError).reason;
}

describe("OAuth against a real OpenID provider (oidc-provider)", () => {
  it("sends PKCE (S256), state and nonce, and returns the verified identity", async () => {
    const { start, callback } = await roundTrip("ada@example.com");
    const authorization = new URL(start.authorizationUrl);
    expect(authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorization.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(authorization.searchParams.get("state")).toBeTruthy();
    expect(authorization.searchParams.get("nonce")).toBeTruthy();
    expect(authorization.searchParams.get("redirect_uri")).toBe(CALLBACK);

    const result = await completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: start.sealedState });
    expect(result.identity).toMatchObject({
      provider: "test-oidc",
      providerUserId: "ada@example.com",
      email: "ada@example.com",
      emailVerified: true,
      firstName: "Ada",
      lastName: "Tester",
      imageUrl: "https://images.example.com/ada.png",
    });
    expect(result.flow.intent).toBe("sign_in");
  });

  it("reads email_verified: false and a missing claim as unverified", async () => {
    for (const login of ["bo+unverified@example.com", "cy+noclaim@example.com"]) {
      const { start, callback } = await roundTrip(login);
      const { identity } = await completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: start.sealedState });
      expect(identity.email).toBe(login);
      expect(identity.emailVerified).toBe(false);
    }
  });

  it("refuses a callback without the browser's flow cookie", async () => {
    const { callback } = await roundTrip("dee@example.com");
    expect(await failure(completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: null }))).toBe("state_missing");
    expect(await failure(completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: "v1.forged.cookie.value" }))).toBe(
      "state_missing",
    );
  });

  it("refuses a callback whose state belongs to another browser's flow", async () => {
    const victim = await roundTrip("eve@example.com");
    const attacker = await beginAuthorization(provider, { callbackUrl: CALLBACK, redirectUrl: "/", intent: "sign_in", userId: null });
    // The attacker's own callback URL (their code) replayed in a browser holding another flow: login CSRF.
    expect(
      await failure(completeAuthorization(provider, { currentUrl: victim.callback, callbackUrl: CALLBACK, sealedState: attacker.sealedState })),
    ).toBe("state_mismatch");
  });

  it("refuses a nonce that is not the flow's", async () => {
    const { start, callback } = await roundTrip("fay@example.com");
    // Same state and verifier, other nonce: what a token minted for another flow would carry.
    const { decryptSecret } = await import("@/lib/crypto");
    const flow = JSON.parse(decryptSecret(start.sealedState, "oauth-flow"));
    const tampered = sealFlowState({ ...flow, nonce: "some-other-nonce" });
    expect(await failure(completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: tampered }))).toBe("invalid_token");
  });

  it("refuses a replayed callback: the code works once", async () => {
    const { start, callback } = await roundTrip("gus@example.com");
    await completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: start.sealedState });
    expect(await failure(completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: start.sealedState }))).toBe(
      "provider_error",
    );
  });

  it("reports consent denied", async () => {
    const start = await beginAuthorization(provider, { callbackUrl: CALLBACK, redirectUrl: "/", intent: "sign_in", userId: null });
    const callback = await authorizeAtProvider(start.authorizationUrl, "hal@example.com", { abort: true });
    expect(await failure(completeAuthorization(provider, { currentUrl: new URL(callback), callbackUrl: CALLBACK, sealedState: start.sealedState }))).toBe(
      "access_denied",
    );
  });

  it("refuses an expired flow and another provider's flow", async () => {
    const { start, callback } = await roundTrip("ida@example.com");
    const later = Date.now() + 11 * 60_000;
    expect(await failure(completeAuthorization(provider, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: start.sealedState, now: later }))).toBe(
      "expired",
    );
    const other = { ...provider, id: "other" };
    expect(await failure(completeAuthorization(other, { currentUrl: callback, callbackUrl: CALLBACK, sealedState: start.sealedState }))).toBe("state_mismatch");
  });
});

describe("ID token checks (a provider that signs whatever it is asked to)", () => {
  let rogue: Awaited<ReturnType<typeof startMisbehavingOidcServer>>;
  let rogueProvider: OAuthProvider;
  const ROGUE_CALLBACK = `${PORTAL}/api/auth/oauth/rogue/callback`;

  beforeAll(async () => {
    rogue = await startMisbehavingOidcServer();
    rogueProvider = providerFrom({ id: "rogue", issuer: rogue.issuer, clientId: "portal-client", clientSecret: "secret" });
  });
  afterAll(() => rogue?.close());

  async function exchangeWith(overrides: IdTokenOverrides) {
    const start = await beginAuthorization(rogueProvider, { callbackUrl: ROGUE_CALLBACK, redirectUrl: "/", intent: "sign_in", userId: null });
    const authorization = new URL(start.authorizationUrl);
    rogue.answerNextWith(authorization.searchParams.get("nonce")!, "portal-client", overrides);
    const callback = new URL(`${ROGUE_CALLBACK}?code=any&state=${authorization.searchParams.get("state")}`);
    return completeAuthorization(rogueProvider, { currentUrl: callback, callbackUrl: ROGUE_CALLBACK, sealedState: start.sealedState });
  }

  it("accepts a well-formed token (the control case)", async () => {
    const { identity } = await exchangeWith({});
    expect(identity).toMatchObject({ providerUserId: "rogue-user", email: "rogue@example.com", emailVerified: true });
  });

  it.each([
    ["wrong issuer", { iss: "https://evil.example.com" }],
    ["wrong audience", { aud: "some-other-client" }],
    ["expired", { exp: Math.floor(Date.now() / 1000) - 3600 }],
    ["nonce of another flow", { nonce: "not-this-flows-nonce" }],
    ["signed by a key not in the JWKS", { foreignKey: true }],
  ] as const)("refuses an ID token with %s", async (_label, overrides) => {
    expect(await failure(exchangeWith(overrides))).toBe("invalid_token");
  });
});
