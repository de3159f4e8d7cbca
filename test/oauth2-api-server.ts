import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A plain OAuth 2.0 provider with a user API (the Facebook and X shapes), on
 * a loopback port: `/authorize` redirects back with a code for the account
 * the test set, `/token` checks the client's credentials the way the
 * provider expects them (HTTP Basic for X, form fields for Facebook), the
 * redirect URI and PKCE (S256), and a code works once; `api` answers the
 * user API for a bearer token it issued. Every request is recorded.
 */
export type SeenRequest = { method: string; path: string; query: URLSearchParams; authorization: string | null; form: URLSearchParams | null };

export async function startOAuth2ApiServer<Account>(options: {
  clientId: string;
  clientSecret: string;
  tokenAuth: "client_secret_basic" | "client_secret_post";
  /** The user API: the JSON for `path` (with its query) and the signed-in account, or null for 404. */
  api: (path: string, query: URLSearchParams, account: Account, token: string) => unknown;
}) {
  let account: Account | null = null;
  const codes = new Map<string, { account: Account; challenge: string | null; redirectUri: string }>();
  const tokens = new Map<string, Account>();
  const seen: SeenRequest[] = [];

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url!, base);
    let form: URLSearchParams | null = null;
    if (request.method === "POST") {
      let raw = "";
      for await (const chunk of request) raw += chunk;
      form = new URLSearchParams(raw);
    }
    seen.push({ method: request.method!, path: url.pathname, query: url.searchParams, authorization: request.headers.authorization ?? null, form });
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/authorize") {
      if (!account || url.searchParams.get("client_id") !== options.clientId) return send(400, { error: "invalid_request" });
      const code = crypto.randomBytes(10).toString("hex");
      codes.set(code, { account, challenge: url.searchParams.get("code_challenge"), redirectUri: url.searchParams.get("redirect_uri")! });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state")!);
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === "/token" && form) {
      const credentials =
        options.tokenAuth === "client_secret_basic"
          ? (() => {
              const [id, secret] = Buffer.from((request.headers.authorization ?? "").replace(/^Basic /i, ""), "base64")
                .toString()
                .split(":")
                .map(decodeURIComponent);
              return { id, secret };
            })()
          : { id: form.get("client_id"), secret: form.get("client_secret") };
      if (credentials.id !== options.clientId || credentials.secret !== options.clientSecret) return send(401, { error: "invalid_client" });
      const issued = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const challengeOk = issued?.challenge === crypto.createHash("sha256").update(verifier).digest("base64url");
      if (!issued || !challengeOk || form.get("redirect_uri") !== issued.redirectUri) return send(400, { error: "invalid_grant" });
      const token = `at_${crypto.randomBytes(12).toString("hex")}`;
      tokens.set(token, issued.account);
      return send(200, { access_token: token, token_type: "bearer", expires_in: 3600 });
    }
    const token = (request.headers.authorization ?? "").replace(/^Bearer /i, "");
    const user = tokens.get(token);
    if (!user) return send(401, { error: { message: "Invalid OAuth access token." } });
    const body = options.api(url.pathname, url.searchParams, user, token);
    if (body === null) return send(404, { error: "not found" });
    send(200, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    signInAs(next: Account) {
      account = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
