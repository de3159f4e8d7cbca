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
  let lastUnknownKidReload = 0;

  return async (protectedHeader, token) => {
    if (fallback && Date.now() - fallback.since < options.cooldownDuration) return fallback.keys(protectedHeader, token);
    try {
      const key = await remote(protectedHeader, token);
      fallback = undefined;
      return key;
    } catch (error) {
      // A key rotated in just after the last fetch: jose will not refetch during its cooldown, so
      // every token of the new key would bounce until it ends. One extra reload per second at most
      // (tokens with made-up kids cannot make it fetch more often) picks the new kid up at once.
      if (error instanceof errors.JWKSNoMatchingKey && remote.coolingDown && Date.now() - lastUnknownKidReload >= UNKNOWN_KID_RELOAD_INTERVAL_MS) {
        lastUnknownKidReload = Date.now();
        try {
          await remote.reload();
        } catch {
          throw error;
        }
        return remote(protectedHeader, token);
      }
      const lastGood = remote.jwks();
      // The set's own verdict on this token (no key for its kid...) stands; only a failed fetch falls back.
      if (isKeyLookupVerdict(error) || !lastGood) throw error;
      fallback = { keys: createLocalJWKSet(lastGood), since: Date.now() };
      return fallback.keys(protectedHeader, token);
    }
  };
}

/** How often an unknown `kid` may force a JWKS refetch while jose's cooldown is running. */
export const UNKNOWN_KID_RELOAD_INTERVAL_MS = 1_000;

function isKeyLookupVerdict(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported
  );
}
