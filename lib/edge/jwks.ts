import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey, type RemoteJWKSetOptions } from "jose";

/**
 * jose's remote key set (fetching, caching, one refetch per cooldown on an
 * unknown `kid`), made to survive an outage of the JWKS URL (S2).
 *
 * Why a wrapper: once its cache age has passed, jose refetches on the next
 * verify and throws when that refetch fails, even though it still holds the
 * key set it fetched last (`jwks()`). A failed refetch would then read as
 * "no session" for every signed-in user. Here a failed refetch falls back to
 * that last good set, and the URL is retried once per cooldown rather than on
 * every request while it is down. Fetching itself stays jose's.
 */
export function createOutageTolerantJWKSet(
  url: URL,
  options: RemoteJWKSetOptions & { cooldownDuration: number },
): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, options);
  let fallback: { keys: JWTVerifyGetKey; since: number } | undefined;

  return async (protectedHeader, token) => {
    if (fallback && Date.now() - fallback.since < options.cooldownDuration) return fallback.keys(protectedHeader, token);
    try {
      const key = await remote(protectedHeader, token);
      fallback = undefined;
      return key;
    } catch (error) {
      const lastGood = remote.jwks();
      // The set's own verdict on this token (no key for its kid...) stands; only a failed fetch falls back.
      if (isKeyLookupVerdict(error) || !lastGood) throw error;
      fallback = { keys: createLocalJWKSet(lastGood), since: Date.now() };
      return fallback.keys(protectedHeader, token);
    }
  };
}

function isKeyLookupVerdict(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  );
}
