import "server-only";
import * as oauth from "oauth4webapi";
import { decodeJwt } from "jose";
import { OAuthFlowError } from "./errors";
import { OAUTH_FLOW_TTL_MS, openFlowState, sealFlowState, type OAuthFlowState } from "./flow-state";
import { githubProfile, discordProfile, facebookProfile, oidcProfile, xProfile, type ProviderIdentity } from "./profiles";
import { appleClientSecret } from "./apple";
import { openSealedUserName, SEALED_USER_PARAM } from "./form-post";
import type { OAuthProvider } from "./providers";

/**
 * The OAuth 2.0 / OpenID Connect protocol (S5), through oauth4webapi (a
 * certified client): discovery, PKCE (S256), `state`, `nonce`, the code
 * exchange and every ID token check (issuer, audience, expiry, nonce, and the
 * signature against the provider's JWKS). What it hands back is an identity
 * the provider vouched for; lib/sign-in decides what that identity may do.
 */

const DISCOVERY_TTL_MS = 60 * 60_000;
const discovered = new Map<string, { server: oauth.AuthorizationServer; at: number }>();

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Plain http is allowed only to this machine (a provider in tests or a local
 * identity server); any other http endpoint is refused by oauth4webapi.
 */
function httpOptions(...urls: (string | undefined)[]): { [oauth.allowInsecureRequests]?: true } {
  const insecureLoopback = urls.some((url) => {
    if (!url) return false;
    const parsed = new URL(url);
    return parsed.protocol === "http:" && LOOPBACK.has(parsed.hostname);
  });
  return insecureLoopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function authorizationServer(provider: OAuthProvider): Promise<oauth.AuthorizationServer> {
  if (provider.protocol === "oidc") {
    const issuer = provider.issuer!;
    const hit = discovered.get(issuer);
    if (hit && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.server;
    try {
      const issuerUrl = new URL(issuer);
      const response = await oauth.discoveryRequest(issuerUrl, { algorithm: "oidc", ...httpOptions(issuer), signal: AbortSignal.timeout(10_000) });
      const server = await oauth.processDiscoveryResponse(issuerUrl, response);
      discovered.set(issuer, { server, at: Date.now() });
      return server;
    } catch (error) {
      throw new OAuthFlowError("provider_unavailable", `discovery of ${issuer} failed: ${describe(error)}`);
    }
  }
  return {
    issuer: provider.issuer ?? new URL(provider.authorizationEndpoint!).origin,
    authorization_endpoint: provider.authorizationEndpoint,
    token_endpoint: provider.tokenEndpoint,
    jwks_uri: provider.jwksUri,
  };
}

/** For tests that restart a provider on the same issuer with new keys. */
export function forgetDiscoveredProviders(): void {
  discovered.clear();
}

const oidcLike = (provider: OAuthProvider) => provider.protocol === "oidc" || provider.protocol === "microsoft";

/**
 * Apple: a client secret minted from the team's key, posted. Otherwise what
 * the preset says (X: basic), else client_secret_basic when the provider
 * lists it (the OIDC default), else client_secret_post (GitHub, Discord,
 * Microsoft, Facebook, LinkedIn).
 */
async function clientAuth(server: oauth.AuthorizationServer, provider: OAuthProvider): Promise<oauth.ClientAuth> {
  if (provider.appleKey) {
    try {
      return oauth.ClientSecretPost(await appleClientSecret(provider.appleKey, { clientId: provider.clientId, audience: server.issuer }));
    } catch (error) {
      throw new OAuthFlowError("not_configured", `Apple client secret: ${describe(error)}`);
    }
  }
  const method =
    provider.tokenEndpointAuth ?? (server.token_endpoint_auth_methods_supported?.includes("client_secret_basic") ? "client_secret_basic" : "client_secret_post");
  return method === "client_secret_basic" ? oauth.ClientSecretBasic(provider.clientSecret) : oauth.ClientSecretPost(provider.clientSecret);
}

export type AuthorizationStart = { authorizationUrl: string; sealedState: string };

/**
 * The provider's authorization URL and the sealed flow state for the
 * browser's cookie. `callbackUrl` is the exact redirect URI registered with
 * the provider: <origin>/api/auth/oauth/<provider>/callback.
 */
export async function beginAuthorization(
  provider: OAuthProvider,
  input: { callbackUrl: string; redirectUrl: string; intent: OAuthFlowState["intent"]; userId: string | null; now?: number },
): Promise<AuthorizationStart> {
  const server = await authorizationServer(provider);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oidcLike(provider) ? oauth.generateRandomNonce() : null;
  const url = new URL(server.authorization_endpoint!);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", provider.clientId);
  url.searchParams.set("redirect_uri", input.callbackUrl);
  url.searchParams.set("scope", provider.scopes.join(" "));
  url.searchParams.set("state", state);
  if (provider.pkce !== false) {
    url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set("code_challenge_method", "S256");
  }
  if (nonce) url.searchParams.set("nonce", nonce);
  if (provider.responseMode) url.searchParams.set("response_mode", provider.responseMode);
  // Let people with several accounts at the provider pick one (else the last one is reused silently).
  if (provider.id === "google" || provider.protocol === "microsoft") url.searchParams.set("prompt", "select_account");
  const sealedState = sealFlowState({
    v: 1,
    provider: provider.id,
    state,
    nonce,
    codeVerifier,
    redirectUrl: input.redirectUrl,
    intent: input.intent,
    userId: input.userId,
    expiresAt: (input.now ?? Date.now()) + OAUTH_FLOW_TTL_MS,
  });
  return { authorizationUrl: url.href, sealedState };
}

export type AuthorizationResult = { identity: ProviderIdentity; flow: OAuthFlowState };

/**
 * Checks the callback against the browser's flow cookie, exchanges the code
 * (with the PKCE verifier) and returns the identity. Throws OAuthFlowError
 * with the reason on every failure.
 */
export async function completeAuthorization(
  provider: OAuthProvider,
  input: { currentUrl: URL; callbackUrl: string; sealedState: string | null | undefined; now?: number },
): Promise<AuthorizationResult> {
  const flow = openFlowState(input.sealedState, provider.id, input.now);
  let server = await authorizationServer(provider);
  const client: oauth.Client = { client_id: provider.clientId };
  const options = httpOptions(server.issuer, server.token_endpoint, server.jwks_uri, server.userinfo_endpoint, provider.apiBaseUrl);

  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(server, client, input.currentUrl, flow.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      // Apple says user_cancelled_authorize where others say access_denied.
      const denied = error.error === "access_denied" || error.error === "user_cancelled_authorize";
      throw new OAuthFlowError(denied ? "access_denied" : "provider_error", error.error);
    }
    throw new OAuthFlowError("state_mismatch", describe(error));
  }

  const auth = await clientAuth(server, provider);
  let response: Response;
  try {
    response = await oauth.authorizationCodeGrantRequest(server, client, auth, parameters, input.callbackUrl, provider.pkce === false ? oauth.nopkce : flow.codeVerifier, {
      ...options,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new OAuthFlowError("provider_unavailable", describe(error));
  }
  if (provider.protocol === "microsoft") server = await withTenantIssuer(server, response);

  let tokens: oauth.TokenEndpointResponse;
  try {
    tokens = await oauth.processAuthorizationCodeResponse(server, client, response, {
      expectedNonce: flow.nonce ?? oauth.expectNoNonce,
      requireIdToken: oidcLike(provider),
    });
    // The token arrived over TLS from the token endpoint, but the signature is
    // checked too (S5): a token not signed by a key in the provider's JWKS is refused.
    if (oidcLike(provider)) await oauth.validateApplicationLevelSignature(server, response, options);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError) throw new OAuthFlowError("provider_error", `${error.error}: ${error.error_description ?? ""}`);
    throw new OAuthFlowError(oidcLike(provider) && isTokenCheck(error) ? "invalid_token" : "provider_error", describe(error));
  }

  try {
    const identity = await profileFor(provider, server, client, tokens, options);
    if (provider.responseMode === "form_post" && !identity.firstName && !identity.lastName) {
      // Apple names the person only in its first form post (sealed into this URL by the callback's POST).
      Object.assign(identity, openSealedUserName(input.currentUrl.searchParams.get(SEALED_USER_PARAM), flow.state));
    }
    return { identity, flow };
  } catch (error) {
    if (error instanceof OAuthFlowError) throw error;
    throw new OAuthFlowError("provider_unavailable", describe(error));
  }
}

function profileFor(
  provider: OAuthProvider,
  server: oauth.AuthorizationServer,
  client: oauth.Client,
  tokens: oauth.TokenEndpointResponse,
  options: ReturnType<typeof httpOptions>,
): Promise<ProviderIdentity> {
  switch (provider.protocol) {
    case "github":
      return githubProfile(provider, tokens.access_token, options);
    case "discord":
      return discordProfile(provider, tokens.access_token, options);
    case "facebook":
      return facebookProfile(provider, tokens.access_token, options);
    case "x":
      return xProfile(provider, tokens.access_token, options);
    case "oidc":
    case "microsoft":
      return oidcProfile(provider, server, client, tokens, options);
  }
}

/**
 * Microsoft's "common" endpoints serve every tenant, and each ID token names
 * its own tenant as issuer (https://login.microsoftonline.com/<tid>/v2.0).
 * The expected issuer is built from the token's `tid`, so the usual issuer
 * check (and the signature check after it) still applies.
 */
async function withTenantIssuer(server: oauth.AuthorizationServer, response: Response): Promise<oauth.AuthorizationServer> {
  try {
    const body = (await response.clone().json()) as { id_token?: string };
    const tid = body.id_token ? decodeJwt(body.id_token).tid : undefined;
    if (typeof tid !== "string" || !/^[0-9a-f-]{36}$/i.test(tid)) return server;
    return { ...server, issuer: server.issuer.replace("{tenantid}", tid) };
  } catch {
    return server;
  }
}

function isTokenCheck(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return (
    code === oauth.JWT_CLAIM_COMPARISON ||
    code === oauth.JWT_TIMESTAMP_CHECK ||
    code === oauth.KEY_SELECTION ||
    code === oauth.INVALID_RESPONSE ||
    (error instanceof Error && /signature|JWT|ID Token/i.test(error.message))
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
