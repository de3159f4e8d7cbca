import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/**
 * A real, certified OpenID provider (`oidc-provider`) on a loopback port, for
 * unit tests (in-process) and the e2e suite (scripts/oidc-provider.mjs runs it
 * as its own process). Its development login form accepts any login; the
 * login names the account, and the address in it says what the provider
 * claims about the email:
 *
 *   ada@example.com             email_verified: true
 *   ada+unverified@example.com  email_verified: false
 *   ada+noclaim@example.com     no email_verified claim at all
 *   nomail-ada                  no email
 *
 * Consent is granted automatically (one less page to click through).
 */
export type TestOidcProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  provider: Provider;
  close: () => Promise<void>;
};

export function accountClaims(login: string): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: `sub-${login}` };
  const name = login.split("@")[0]!.split("+")[0]!;
  claims.given_name = name.charAt(0).toUpperCase() + name.slice(1);
  claims.family_name = "Tester";
  claims.name = `${claims.given_name} Tester`;
  claims.preferred_username = name;
  claims.picture = `https://images.example.com/${encodeURIComponent(name)}.png`;
  if (login.includes("@")) {
    claims.email = login;
    if (!login.includes("+noclaim")) claims.email_verified = !login.includes("+unverified");
  }
  return claims;
}

export async function startOidcProvider(options: {
  port?: number;
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
  /** false: like LinkedIn, a client without PKCE is served (default: PKCE required). */
  pkceRequired?: boolean;
  /** How the client authenticates at the token endpoint (default client_secret_basic; LinkedIn: client_secret_post). */
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post";
}): Promise<TestOidcProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = options.clientId ?? "auth-portal";
  const clientSecret = options.clientSecret ?? "test-client-secret-that-is-long-enough";
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: options.tokenEndpointAuthMethod ?? "client_secret_basic",
      },
    ],
    pkce: { required: () => options.pkceRequired ?? true },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name", "picture", "preferred_username"],
    },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ ...accountClaims(id), sub: id }) }),
    // Skip the consent screen: the grant covers what the client asked for.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope("openid email profile");
      grant.addOIDCClaims(["email", "email_verified", "name", "given_name", "family_name", "picture", "preferred_username"]);
      await grant.save();
      return grant;
    },
    cookies: { keys: ["oidc-test-cookie-key"] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 3600, Session: 3600 },
    features: { devInteractions: { enabled: true } },
  });
  // Quiet: the development-keys and devInteractions warnings are expected here.
  server.on("request", provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    provider,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Walks the provider's pages the way a browser would (cookies kept, redirects
 * followed by hand): from the authorization URL through the login form to the
 * redirect back to the portal. Returns that callback URL. `abort` presses
 * "Cancel" on the login page instead (consent denied).
 */
export async function authorizeAtProvider(authorizationUrl: string, login: string, options: { abort?: boolean } = {}): Promise<string> {
  const jar = new Map<string, string>();
  const origin = new URL(authorizationUrl).origin;
  const go = async (url: string, init: RequestInit = {}) => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const index = pair!.indexOf("=");
      jar.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
    return response;
  };
  let response = await go(authorizationUrl);
  for (let hops = 0; hops < 20; hops++) {
    if (response.status >= 300 && response.status < 400) {
      const location = new URL(response.headers.get("location")!, origin).href;
      if (!location.startsWith(origin)) return location;
      response = await go(location);
      continue;
    }
    const html = await response.text();
    const uid = /\/interaction\/([^/"?]+)/.exec(html)?.[1];
    if (response.status !== 200 || !uid) throw new Error(`Unexpected provider page (${response.status}): ${html.slice(0, 300)}`);
    response = options.abort
      ? await go(`${origin}/interaction/${uid}/abort`)
      : await go(`${origin}/interaction/${uid}`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ prompt: "login", login, password: "any" }).toString(),
        });
  }
  throw new Error("Too many redirects at the provider");
}
