import { handler, json } from "@/lib/http";
import { requestContext } from "@/lib/session";

export const dynamic = "force-dynamic";

/**
 * OpenID Connect discovery (S9): services that find keys from an issuer
 * (Convex, Hasura's jwk_url users, any OIDC verifier) read `jwks_uri` here.
 * `issuer` is exactly the `iss` our tokens carry (Convex compares them).
 * There is no authorization endpoint: tokens come from `getToken()` and the
 * backend API, not from an OAuth flow.
 */
export const GET = handler({}, async ({ request }) => {
  const { issuer } = requestContext(request);
  return json(
    {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
      claims_supported: ["iss", "sub", "sid", "aud", "iat", "nbf", "exp", "azp", "act", "role", "email", "email_verified", "name", "picture"],
    },
    { headers: { "Cache-Control": "public, max-age=300, stale-while-revalidate=3600" } },
  );
});
