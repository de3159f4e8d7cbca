/**
 * Why an OAuth round trip did not yield an identity. Each reason has its own
 * page text (app/(auth)/sso-callback), so the person learns what to do next;
 * the provider's own error text is never shown (it is attacker-controlled
 * when someone crafts the callback URL).
 */
export const OAUTH_FAILURES = {
  /** The person said no on the provider's consent screen. */
  access_denied: "consent denied",
  /** No flow cookie (another browser, expired, cookies blocked) or it did not decrypt. */
  state_missing: "callback without the browser's flow cookie",
  state_mismatch: "state does not match the browser's flow",
  expired: "flow older than 10 minutes",
  /** The ID token failed a check: nonce, issuer, audience, expiry or signature. */
  invalid_token: "ID token rejected",
  /** The provider answered with an error or an unusable response (including a code used twice). */
  provider_error: "provider error",
  /** Discovery or the provider's API could not be reached. */
  provider_unavailable: "provider unreachable",
  not_configured: "provider not configured",
} as const;

export type OAuthFailure = keyof typeof OAUTH_FAILURES;

export class OAuthFlowError extends Error {
  constructor(
    readonly reason: OAuthFailure,
    /** For the server log only: the underlying check that failed. */
    readonly detail?: string,
  ) {
    super(`OAuth ${OAUTH_FAILURES[reason]}${detail ? `: ${detail}` : ""}`);
    this.name = "OAuthFlowError";
  }
}
