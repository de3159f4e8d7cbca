import "server-only";
import { getConfig, type OAuthProviderEnv } from "@/lib/config";
import { decryptSecret } from "@/lib/crypto";
import type { InstanceSettings } from "@/lib/settings";

/**
 * The OAuth providers this instance offers (S5): the presets and any number
 * of generic OpenID Connect providers found by issuer (discovery). "oidc"
 * providers are verified through their ID token; GitHub, Discord, Facebook
 * and X speak plain OAuth 2.0, so their identity comes from their user API.
 */
export type ProviderProtocol = "oidc" | "microsoft" | "github" | "discord" | "facebook" | "x";

/** The mark shown on the button (app/_components/ProviderMark.tsx). */
export type ProviderMark = "google" | "github" | "microsoft" | "discord" | "apple" | "facebook" | "x" | "linkedin" | "gitlab" | "generic";

/**
 * Apple signs in with no client secret of its own: each token request carries
 * a short-lived ES256 JWT signed with the team's private key (lib/oauth/apple.ts).
 */
export type AppleSigningKey = { teamId: string; keyId: string; privateKey: string };

export type OAuthProvider = {
  id: string;
  name: string;
  mark: ProviderMark;
  protocol: ProviderProtocol;
  clientId: string;
  /** Empty for Apple, whose client secret is minted from `appleKey`. */
  clientSecret: string;
  scopes: string[];
  /** OpenID Connect: the issuer whose discovery document names the endpoints. */
  issuer?: string;
  /** Plain OAuth 2.0 providers (and Microsoft's multi-tenant endpoints): fixed endpoints. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  jwksUri?: string;
  /** GitHub / Discord / Facebook / X REST API base for the user's profile and emails. */
  apiBaseUrl?: string;
  /**
   * "form_post": the provider POSTs the authorization response to the callback
   * (Apple: required whenever name or email is asked for); the callback's POST
   * turns it into the usual GET (app/api/auth/oauth/[provider]/callback).
   */
  responseMode?: "form_post";
  /** false for a provider that refuses PKCE from a confidential client (LinkedIn); state and nonce still bind the flow. */
  pkce?: false;
  /** How the client authenticates at a fixed token endpoint; discovered providers say it in their metadata. Default: client_secret_post. */
  tokenEndpointAuth?: "client_secret_basic" | "client_secret_post";
  /** A preset whose issuer an admin may change (self-managed GitLab). */
  issuerConfigurable?: true;
  appleKey?: AppleSigningKey;
};

/** What the sign-in page needs to draw a button; never the secret. */
export type PublicProvider = Pick<OAuthProvider, "id" | "name" | "mark">;

type Preset = Omit<OAuthProvider, "clientId" | "clientSecret">;

export type PresetId = "google" | "github" | "microsoft" | "discord" | "apple" | "facebook" | "x" | "linkedin" | "gitlab";

/** Facebook's Graph API version: each is supported about two years (developers.facebook.com/docs/graph-api/changelog). */
const FACEBOOK_GRAPH = "v23.0";

export const PROVIDER_PRESETS: Record<PresetId, Preset> = {
  google: {
    id: "google",
    name: "Google",
    mark: "google",
    protocol: "oidc",
    issuer: "https://accounts.google.com",
    scopes: ["openid", "email", "profile"],
  },
  github: {
    id: "github",
    name: "GitHub",
    mark: "github",
    protocol: "github",
    authorizationEndpoint: "https://github.com/login/oauth/authorize",
    tokenEndpoint: "https://github.com/login/oauth/access_token",
    apiBaseUrl: "https://api.github.com",
    // user:email reads /user/emails, where GitHub says which address is verified.
    scopes: ["read:user", "user:email"],
  },
  microsoft: {
    id: "microsoft",
    name: "Microsoft",
    mark: "microsoft",
    protocol: "microsoft",
    // The "common" tenant: work, school and personal accounts. Its ID tokens
    // carry the user's own tenant as issuer, so the issuer is checked per token.
    issuer: "https://login.microsoftonline.com/{tenantid}/v2.0",
    authorizationEndpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    tokenEndpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    jwksUri: "https://login.microsoftonline.com/common/discovery/v2.0/keys",
    scopes: ["openid", "email", "profile"],
  },
  discord: {
    id: "discord",
    name: "Discord",
    mark: "discord",
    protocol: "discord",
    authorizationEndpoint: "https://discord.com/oauth2/authorize",
    tokenEndpoint: "https://discord.com/api/oauth2/token",
    apiBaseUrl: "https://discord.com/api",
    scopes: ["identify", "email"],
  },
  apple: {
    id: "apple",
    name: "Apple",
    mark: "apple",
    protocol: "oidc",
    issuer: "https://appleid.apple.com",
    // Apple's documented scopes; it issues the ID token without "openid".
    scopes: ["name", "email"],
    responseMode: "form_post",
  },
  facebook: {
    id: "facebook",
    name: "Facebook",
    mark: "facebook",
    protocol: "facebook",
    authorizationEndpoint: `https://www.facebook.com/${FACEBOOK_GRAPH}/dialog/oauth`,
    tokenEndpoint: `https://graph.facebook.com/${FACEBOOK_GRAPH}/oauth/access_token`,
    apiBaseUrl: `https://graph.facebook.com/${FACEBOOK_GRAPH}`,
    scopes: ["email", "public_profile"],
  },
  x: {
    id: "x",
    name: "X",
    mark: "x",
    protocol: "x",
    authorizationEndpoint: "https://x.com/i/oauth2/authorize",
    tokenEndpoint: "https://api.x.com/2/oauth2/token",
    apiBaseUrl: "https://api.x.com/2",
    // X's confidential clients authenticate with HTTP Basic; users.read needs tweet.read. No email scope.
    tokenEndpointAuth: "client_secret_basic",
    scopes: ["users.read", "tweet.read"],
  },
  linkedin: {
    id: "linkedin",
    name: "LinkedIn",
    mark: "linkedin",
    protocol: "oidc",
    issuer: "https://www.linkedin.com/oauth",
    scopes: ["openid", "email", "profile"],
    // LinkedIn's web flow answers invalid_client when a code_verifier is sent.
    pkce: false,
  },
  gitlab: {
    id: "gitlab",
    name: "GitLab",
    mark: "gitlab",
    protocol: "oidc",
    issuer: "https://gitlab.com",
    scopes: ["openid", "email", "profile"],
    issuerConfigurable: true,
  },
};

export function isPreset(id: string): id is PresetId {
  return Object.hasOwn(PROVIDER_PRESETS, id);
}

/** A provider from its credentials: a preset by id, otherwise a generic OpenID Connect provider. */
export function providerFrom(entry: OAuthProviderEnv): OAuthProvider {
  if (isPreset(entry.id)) {
    const preset = PROVIDER_PRESETS[entry.id];
    if (preset.id === "apple") {
      // Apple's "secret" is the team's private key: the client secret is minted from it per request.
      const appleKey = { teamId: entry.teamId ?? "", keyId: entry.keyId ?? "", privateKey: entry.clientSecret };
      return { ...preset, clientId: entry.clientId, clientSecret: "", appleKey };
    }
    const issuer = preset.issuerConfigurable && entry.issuer ? entry.issuer.replace(/\/+$/, "") : preset.issuer;
    return { ...preset, issuer, clientId: entry.clientId, clientSecret: entry.clientSecret };
  }
  return {
    id: entry.id,
    name: entry.name ?? titleCase(entry.id),
    mark: "generic",
    protocol: "oidc",
    issuer: entry.issuer,
    scopes: ["openid", "email", "profile"],
    clientId: entry.clientId,
    clientSecret: entry.clientSecret,
  };
}

function titleCase(id: string): string {
  return id
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

/**
 * Every configured provider, in a stable order: the environment's, each
 * replaced by (or joined with) an admin's setting for the same id. A disabled
 * setting hides the provider even when the environment configures it.
 */
export function configuredProviders(settings: Pick<InstanceSettings, "oauthProviders">): OAuthProvider[] {
  const byId = new Map<string, OAuthProvider>();
  for (const entry of getConfig().OAUTH_PROVIDERS) byId.set(entry.id, providerFrom(entry));
  for (const [id, stored] of Object.entries(settings.oauthProviders)) {
    if (!stored.enabled) {
      byId.delete(id);
      continue;
    }
    let clientSecret: string;
    try {
      clientSecret = decryptSecret(stored.clientSecretEncrypted, "oauth-client-secret");
    } catch {
      // Sealed under neither AUTH_SECRET nor AUTH_SECRET_PREVIOUS: unusable until an admin saves it again.
      console.warn(`[oauth] the stored client secret of "${id}" cannot be decrypted; the provider is hidden until it is saved again`);
      byId.delete(id);
      continue;
    }
    if (!isPreset(id) && !stored.issuer) continue;
    byId.set(id, providerFrom({ id, clientId: stored.clientId, clientSecret, issuer: stored.issuer, name: stored.name, teamId: stored.teamId, keyId: stored.keyId }));
  }
  const order = (id: string) => (isPreset(id) ? Object.keys(PROVIDER_PRESETS).indexOf(id) : 100);
  return [...byId.values()].sort((a, b) => order(a.id) - order(b.id) || a.name.localeCompare(b.name));
}

export function findProvider(settings: Pick<InstanceSettings, "oauthProviders">, id: string): OAuthProvider | null {
  return configuredProviders(settings).find((provider) => provider.id === id) ?? null;
}

export function publicProvider(provider: OAuthProvider): PublicProvider {
  return { id: provider.id, name: provider.name, mark: provider.mark };
}

/** The buttons the sign-in and sign-up pages show: configured providers, public fields only. */
export function publicProviders(settings: Pick<InstanceSettings, "oauthProviders">): PublicProvider[] {
  return configuredProviders(settings).map(publicProvider);
}
