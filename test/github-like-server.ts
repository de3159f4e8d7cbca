import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small server that speaks GitHub's OAuth shapes (S5): the authorize
 * redirect, the token endpoint (form in, JSON out when asked, errors as 200
 * with `error` as GitHub does), `/user` and `/user/emails`. Codes work once
 * and PKCE (S256) is checked. The account that "logs in" is set by the test.
 */
export type GithubLikeAccount = {
  id: number;
  login: string;
  name: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
};

export async function startGithubLikeServer(client: { clientId: string; clientSecret: string }) {
  let account: GithubLikeAccount | null = null;
  const codes = new Map<string, { account: GithubLikeAccount; challenge: string | null; redirectUri: string }>();
  const tokens = new Map<string, GithubLikeAccount>();
  const seen: { path: string; accept: string | null; userAgent: string | null; authorization: string | null }[] = [];

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url!, base);
    seen.push({ path: url.pathname, accept: request.headers.accept ?? null, userAgent: request.headers["user-agent"] ?? null, authorization: request.headers.authorization ?? null });
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/login/oauth/authorize") {
      if (!account || url.searchParams.get("client_id") !== client.clientId) return send(400, { error: "bad request" });
      const code = crypto.randomBytes(10).toString("hex");
      codes.set(code, { account, challenge: url.searchParams.get("code_challenge"), redirectUri: url.searchParams.get("redirect_uri")! });
      const back = new URL(url.searchParams.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state")!);
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === "/login/oauth/access_token" && request.method === "POST") {
      let raw = "";
      for await (const chunk of request) raw += chunk;
      const form = new URLSearchParams(raw);
      const issued = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const challengeOk = issued?.challenge === crypto.createHash("sha256").update(verifier).digest("base64url");
      if (form.get("client_id") !== client.clientId || form.get("client_secret") !== client.clientSecret) return send(200, { error: "incorrect_client_credentials" });
      if (!issued || !challengeOk || form.get("redirect_uri") !== issued.redirectUri) return send(200, { error: "bad_verification_code" });
      const token = `gho_${crypto.randomBytes(12).toString("hex")}`;
      tokens.set(token, issued.account);
      return send(200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
    }
    const user = tokens.get((request.headers.authorization ?? "").replace(/^Bearer /i, ""));
    if (!user) return send(401, { message: "Bad credentials" });
    if (url.pathname === "/user") {
      const publicEmail = user.emails.find((entry) => entry.primary)?.email ?? null;
      return send(200, { id: user.id, login: user.login, name: user.name, email: publicEmail, avatar_url: `https://avatars.githubusercontent.com/u/${user.id}` });
    }
    if (url.pathname === "/user/emails") return send(200, user.emails);
    send(404, { message: "Not Found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    signInAs(next: GithubLikeAccount) {
      account = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
