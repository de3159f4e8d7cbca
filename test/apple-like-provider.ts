import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportPKCS8, exportSPKI, generateKeyPair, importSPKI, jwtVerify, decodeProtectedHeader, type JWTPayload } from "jose";
import Provider from "oidc-provider";

/**
 * A stand-in for Sign in with Apple: a real OpenID provider (`oidc-provider`)
 * answering with `response_mode=form_post`, plus what Apple does differently:
 *
 * - the client secret is an ES256 JWT signed with the team's private key; the
 *   token endpoint verifies it (iss = team id, sub = Services ID, aud = the
 *   issuer, kid = key id, not expired) against the team's public key, and
 *   refuses the request otherwise (`invalid_client`);
 * - `email_verified` is the string "true" (or "false");
 * - the person's name comes only in the first form post's `user` field;
 * - Apple's scopes are "name email" and it issues an ID token without
 *   "openid" (oidc-provider needs it, so the stub adds it).
 *
 * The team's key pair is generated per stub, so tests hold the .p8 PEM.
 */
export type AppleLikeProvider = {
  issuer: string;
  servicesId: string;
  teamId: string;
  keyId: string;
  /** The team's private key as Apple's .p8 file holds it (PKCS#8 PEM). */
  privateKeyPem: string;
  /** Every client secret the token endpoint accepted, with its verified claims. */
  acceptedSecrets: { jwt: string; claims: JWTPayload; kid: string | undefined }[];
  /** Client secrets the token endpoint refused, with why. */
  refusedSecrets: string[];
  close: () => Promise<void>;
};

const STATIC_SECRET = "the-stub-only-secret-that-oidc-provider-compares";

export async function startAppleLikeProvider(options: { redirectUris: string[]; servicesId?: string; teamId?: string; keyId?: string }): Promise<AppleLikeProvider> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const servicesId = options.servicesId ?? "com.example.signin";
  const teamId = options.teamId ?? "TEAM123456";
  const keyId = options.keyId ?? "KEY1234567";
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const privateKeyPem = await exportPKCS8(privateKey);
  const teamPublicKey = await importSPKI(await exportSPKI(publicKey), "ES256");
  const acceptedSecrets: AppleLikeProvider["acceptedSecrets"] = [];
  const refusedSecrets: string[] = [];
  const named = new Set<string>();

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: servicesId,
        client_secret: STATIC_SECRET,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    pkce: { required: () => true },
    scopes: ["openid", "email", "name"],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => appleClaims(id) }),
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope("openid email name");
      grant.addOIDCClaims(["email", "email_verified"]);
      await grant.save();
      return grant;
    },
    cookies: { keys: ["apple-stub-cookie-key"] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 3600, Session: 3600 },
    features: { devInteractions: { enabled: true } },
  });

  provider.use(async (ctx, next) => {
    if (ctx.method === "POST" && ctx.path === "/token") {
      let raw = "";
      for await (const chunk of ctx.req) raw += chunk;
      const form = Object.fromEntries(new URLSearchParams(raw));
      const secret = form.client_secret ?? "";
      try {
        const { payload } = await jwtVerify(secret, teamPublicKey, { issuer: teamId, subject: servicesId, audience: issuer, algorithms: ["ES256"] });
        const { kid } = decodeProtectedHeader(secret);
        if (kid !== keyId) throw new Error(`kid ${kid}`);
        acceptedSecrets.push({ jwt: secret, claims: payload, kid });
      } catch (error) {
        refusedSecrets.push(error instanceof Error ? error.message : String(error));
        ctx.status = 401;
        ctx.body = { error: "invalid_client", error_description: "client secret JWT refused" };
        return;
      }
      // Verified: hand oidc-provider the body with the secret it compares (the stream is spent).
      (ctx.req as unknown as { body: Record<string, string> }).body = { ...form, client_secret: STATIC_SECRET };
    }
    if (ctx.path === "/auth" && typeof ctx.query.scope === "string" && !ctx.query.scope.split(" ").includes("openid")) {
      ctx.query = { ...ctx.query, scope: `openid ${ctx.query.scope}` };
    }
    await next();
    // Apple's form post names the person the first time it authorizes this client, never again.
    const accountId = ctx.oidc?.session?.accountId;
    if (typeof ctx.body === "string" && ctx.body.includes("<title>Submitting Callback</title>") && accountId && !named.has(accountId)) {
      named.add(accountId);
      const user = JSON.stringify({ name: appleName(accountId), email: accountId });
      ctx.body = ctx.body.replace("<noscript>", `<input type="hidden" name="user" value="${escapeHtml(user)}"/>\n<noscript>`);
    }
  });
  server.on("request", provider.callback());
  return {
    issuer,
    servicesId,
    teamId,
    keyId,
    privateKeyPem,
    acceptedSecrets,
    refusedSecrets,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** "ada@example.com" -> Ada Lovelace-ish names; "+unverified" makes email_verified "false". */
function appleName(login: string) {
  const first = login.split("@")[0]!.split("+")[0]!;
  return { firstName: first.charAt(0).toUpperCase() + first.slice(1), lastName: "Appleseed" };
}

function appleClaims(login: string): { sub: string; [claim: string]: unknown } {
  // Apple sends email_verified as a string.
  return { sub: login, email: login, email_verified: login.includes("+unverified") ? "false" : "true" };
}

function escapeHtml(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function unescapeHtml(value: string): string {
  return value
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&#x27;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/**
 * Walks the provider's pages as a browser would (cookies kept, redirects
 * followed) from the authorization URL through the login form, and returns
 * the form the provider's page would auto-submit to the portal: its action
 * and fields. `abort` presses "Cancel" instead.
 */
export async function authorizeAtAppleLikeProvider(authorizationUrl: string, login: string, options: { abort?: boolean } = {}): Promise<{ action: string; fields: URLSearchParams }> {
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
      response = await go(new URL(response.headers.get("location")!, origin).href);
      continue;
    }
    const html = await response.text();
    const form = /<form method="post" action="([^"]+)">/.exec(html);
    if (form && html.includes("<title>Submitting Callback</title>")) {
      const fields = new URLSearchParams();
      for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) fields.set(match[1]!, unescapeHtml(match[2]!));
      return { action: unescapeHtml(form[1]!), fields };
    }
    const uid = /\/interaction\/([^/"?]+)/.exec(html)?.[1];
    if (!uid) throw new Error(`Unexpected provider page (${response.status}): ${html.slice(0, 300)}`);
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
