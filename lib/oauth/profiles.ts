import "server-only";
import { createHmac } from "node:crypto";
import * as oauth from "oauth4webapi";
import { z } from "zod";
import { OAuthFlowError } from "./errors";
import type { OAuthProvider } from "./providers";

/**
 * The identity a provider vouched for, in one shape whatever the protocol.
 * `emailVerified` is true only when the provider says so explicitly (S5): a
 * missing claim counts as unverified.
 */
export type ProviderIdentity = {
  provider: string;
  providerUserId: string;
  email: string | null;
  emailVerified: boolean;
  username: string | null;
  imageUrl: string | null;
  firstName: string | null;
  lastName: string | null;
};

type HttpOptions = { [oauth.allowInsecureRequests]?: true };

/** `true`, or the string "true" some providers send; anything else (missing included) is false. */
const isTrue = (value: unknown) => value === true || value === "true";

const text = (value: unknown, max = 200) => (typeof value === "string" && value.trim() ? value.trim().slice(0, max) : null);

const httpsUrl = (value: unknown) => {
  const url = text(value, 2000);
  return url && /^https:\/\//i.test(url) ? url : null;
};

/**
 * OpenID Connect: claims from the validated ID token, completed from the
 * UserInfo endpoint when the token carries no email (its `sub` must match).
 * Microsoft's multi-tenant tokens say an email is verified with `xms_edov`
 * (email domain owner verified); Microsoft never sends `email_verified`.
 */
export async function oidcProfile(
  provider: OAuthProvider,
  server: oauth.AuthorizationServer,
  client: oauth.Client,
  tokens: oauth.TokenEndpointResponse,
  options: HttpOptions,
): Promise<ProviderIdentity> {
  const idToken = oauth.getValidatedIdTokenClaims(tokens);
  if (!idToken) throw new OAuthFlowError("invalid_token", "no ID token");
  let claims: Record<string, unknown> = { ...idToken };
  if (!text(claims.email) && server.userinfo_endpoint) {
    try {
      const response = await oauth.userInfoRequest(server, client, tokens.access_token, { ...options, signal: AbortSignal.timeout(10_000) });
      const userInfo = await oauth.processUserInfoResponse(server, client, idToken.sub, response);
      claims = { ...userInfo, ...idToken };
    } catch (error) {
      throw new OAuthFlowError("provider_error", `userinfo: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const email = text(claims.email, 320);
  const verified = provider.protocol === "microsoft" ? isTrue(claims.xms_edov) || isTrue(claims.email_verified) : isTrue(claims.email_verified);
  return {
    provider: provider.id,
    providerUserId: idToken.sub,
    email,
    emailVerified: Boolean(email) && verified,
    username: text(claims.preferred_username),
    imageUrl: httpsUrl(claims.picture),
    firstName: text(claims.given_name) ?? (text(claims.family_name) ? null : text(claims.name)),
    lastName: text(claims.family_name),
  };
}

const githubUser = z.object({
  id: z.number(),
  login: z.string(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  avatar_url: z.string().nullish(),
});
const githubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

async function getJson(url: string, accessToken: string, options: HttpOptions, accept = "application/json"): Promise<unknown> {
  const response = await oauth.protectedResourceRequest(
    accessToken,
    "GET",
    new URL(url),
    new Headers({ accept, "user-agent": "auth-portal" }),
    null,
    { ...options, signal: AbortSignal.timeout(10_000) },
  );
  if (!response.ok) throw new OAuthFlowError("provider_error", `${url} answered ${response.status}`);
  return response.json();
}

/**
 * GitHub (plain OAuth 2.0): `/user` for the account, `/user/emails` for which
 * address is primary and verified (the public `email` on `/user` says
 * nothing about verification, so it is used only as unverified).
 */
export async function githubProfile(provider: OAuthProvider, accessToken: string, options: HttpOptions): Promise<ProviderIdentity> {
  const accept = "application/vnd.github+json";
  const user = parseOr(githubUser, await getJson(`${provider.apiBaseUrl}/user`, accessToken, options, accept), "/user");
  const emails = parseOr(githubEmails, await getJson(`${provider.apiBaseUrl}/user/emails`, accessToken, options, accept), "/user/emails");
  const primary = emails.find((entry) => entry.primary);
  const email = primary?.email ?? text(user.email, 320);
  const [firstName, ...rest] = (text(user.name) ?? "").split(/\s+/);
  return {
    provider: provider.id,
    providerUserId: String(user.id),
    email,
    emailVerified: Boolean(primary?.verified),
    username: user.login,
    imageUrl: httpsUrl(user.avatar_url),
    firstName: firstName || null,
    lastName: rest.join(" ") || null,
  };
}

const discordUser = z.object({
  id: z.string(),
  username: z.string(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
  email: z.string().nullish(),
  verified: z.boolean().nullish(),
});

/** Discord (plain OAuth 2.0): `/users/@me` gives the email and whether Discord verified it. */
export async function discordProfile(provider: OAuthProvider, accessToken: string, options: HttpOptions): Promise<ProviderIdentity> {
  const user = parseOr(discordUser, await getJson(`${provider.apiBaseUrl}/users/@me`, accessToken, options), "/users/@me");
  const email = text(user.email, 320);
  return {
    provider: provider.id,
    providerUserId: user.id,
    email,
    emailVerified: Boolean(email) && user.verified === true,
    username: user.username,
    imageUrl: user.avatar ? `https://cdn.discordapp.com/avatars/${user.id}/${user.avatar}.png` : null,
    firstName: text(user.global_name),
    lastName: null,
  };
}

const facebookUser = z.object({
  id: z.string(),
  name: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email: z.string().nullish(),
  picture: z.object({ data: z.object({ url: z.string().nullish(), is_silhouette: z.boolean().nullish() }).nullish() }).nullish(),
});

/**
 * Facebook (plain OAuth 2.0): the Graph API's `/me`. Facebook shares only an
 * address its owner confirmed, so a returned email counts as verified (it
 * has no `verified` field to read). `appsecret_proof` (HMAC of the token
 * under the app secret) lets the app turn on "Require App Secret".
 */
export async function facebookProfile(provider: OAuthProvider, accessToken: string, options: HttpOptions): Promise<ProviderIdentity> {
  const url = new URL(`${provider.apiBaseUrl}/me`);
  url.searchParams.set("fields", "id,name,first_name,last_name,email,picture.type(large)");
  url.searchParams.set("appsecret_proof", createHmac("sha256", provider.clientSecret).update(accessToken).digest("hex"));
  const user = parseOr(facebookUser, await getJson(url.href, accessToken, options), "/me");
  const email = text(user.email, 320);
  const picture = user.picture?.data;
  return {
    provider: provider.id,
    providerUserId: user.id,
    email,
    emailVerified: Boolean(email),
    username: null,
    imageUrl: picture && !picture.is_silhouette ? httpsUrl(picture.url) : null,
    firstName: text(user.first_name) ?? (text(user.last_name) ? null : text(user.name)),
    lastName: text(user.last_name),
  };
}

const xUser = z.object({
  data: z.object({ id: z.string(), username: z.string(), name: z.string().nullish(), profile_image_url: z.string().nullish() }),
});

/**
 * X (OAuth 2.0 with PKCE): `/2/users/me`. X shares no email address with
 * ordinary apps, so an X identity has none: it signs in once linked (connect
 * it from the account page), and cannot create an account on its own.
 */
export async function xProfile(provider: OAuthProvider, accessToken: string, options: HttpOptions): Promise<ProviderIdentity> {
  const user = parseOr(xUser, await getJson(`${provider.apiBaseUrl}/users/me?user.fields=profile_image_url`, accessToken, options), "/users/me").data;
  const [firstName, ...rest] = (text(user.name) ?? "").split(/\s+/);
  // The default picture is 48 px ("_normal"); "_400x400" is the same image, larger.
  const picture = httpsUrl(user.profile_image_url)?.replace(/_normal(\.\w+)$/, "_400x400$1") ?? null;
  return {
    provider: provider.id,
    providerUserId: user.id,
    email: null,
    emailVerified: false,
    username: user.username,
    imageUrl: picture,
    firstName: firstName || null,
    lastName: rest.join(" ") || null,
  };
}

function parseOr<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new OAuthFlowError("provider_error", `unexpected ${what} response`);
  return parsed.data;
}
