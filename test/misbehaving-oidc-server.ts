import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";

/**
 * An OpenID provider that signs whatever ID token a test asks for: wrong
 * issuer, wrong audience, expired, or signed by a key that is not in its
 * JWKS. A certified provider never does that, which is exactly why the
 * portal's checks need a provider that does. Discovery, JWKS and the token
 * endpoint only; the test builds the callback URL itself.
 */
export type IdTokenOverrides = {
  iss?: string;
  aud?: string;
  exp?: number;
  nonce?: string;
  /** Sign with a key the JWKS does not publish (same `kid`). */
  foreignKey?: boolean;
};

export async function startMisbehavingOidcServer() {
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const foreign = await generateKeyPair("ES256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "key-1", alg: "ES256", use: "sig" };
  let next: { nonce: string; overrides: IdTokenOverrides; clientId: string } | null = null;

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url!, issuer);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration") {
      return send(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["ES256"],
        token_endpoint_auth_methods_supported: ["client_secret_post"],
      });
    }
    if (url.pathname === "/jwks") return send(200, { keys: [jwk] });
    if (url.pathname === "/token" && request.method === "POST" && next) {
      const { nonce, overrides, clientId } = next;
      const now = Math.floor(Date.now() / 1000);
      const key: CryptoKey = overrides.foreignKey ? foreign.privateKey : privateKey;
      const idToken = await new SignJWT({ nonce: overrides.nonce ?? nonce, email: "rogue@example.com", email_verified: true })
        .setProtectedHeader({ alg: "ES256", kid: "key-1" })
        .setIssuer(overrides.iss ?? issuer)
        .setAudience(overrides.aud ?? clientId)
        .setSubject("rogue-user")
        .setIssuedAt(overrides.exp ? overrides.exp - 600 : now)
        .setExpirationTime(overrides.exp ?? now + 300)
        .sign(key);
      return send(200, { access_token: "access-token", token_type: "Bearer", expires_in: 300, id_token: idToken });
    }
    send(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    /** The ID token the next code exchange answers with. */
    answerNextWith(nonce: string, clientId: string, overrides: IdTokenOverrides) {
      next = { nonce, clientId, overrides };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
