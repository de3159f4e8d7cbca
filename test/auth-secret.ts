import { resetConfigCache } from "@/lib/config";
import { forgetCachedSigningKey } from "@/lib/session/keys";

/**
 * Runs the rest of a test as a server started with these secrets would (an AUTH_SECRET
 * rotation, docs/security.md): sets AUTH_SECRET and AUTH_SECRET_PREVIOUS (or unsets the
 * latter) and drops what was derived from the old values. Returns the way back.
 */
export function useAuthSecrets(current: string, previous?: string): () => void {
  const before = { current: process.env.AUTH_SECRET, previous: process.env.AUTH_SECRET_PREVIOUS };
  const set = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  const apply = (next: string | undefined, last: string | undefined) => {
    set("AUTH_SECRET", next);
    set("AUTH_SECRET_PREVIOUS", last);
    resetConfigCache();
    forgetCachedSigningKey();
  };
  apply(current, previous);
  return () => apply(before.current, before.previous);
}

/** A 32+ character secret, different on every call. */
export function newAuthSecret(): string {
  return `test-secret-${crypto.randomUUID()}`;
}
