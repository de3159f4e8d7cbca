import { postJson, withSession } from "../api";

export type GetTokenOptions = {
  /** A JWT template's name (S9, /admin/jwt-templates); without one, a fresh session token. */
  template?: string;
};

/** A template name that is not there, or another refusal with its message: thrown, so a caller cannot mistake it for "signed out". */
export class GetTokenError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
    this.name = "GetTokenError";
  }
}

/**
 * A JWT for calling another service (S2, S9): `getToken({ template: "supabase" })`.
 * Fetched from the same-origin route (the session cookie itself is never
 * readable by page JS), through `withSession` so an expired session token is
 * refreshed first. Null when signed out; throws GetTokenError otherwise.
 * Tokens are short-lived: ask again for each call rather than keeping one.
 */
export async function getToken(options: GetTokenOptions = {}): Promise<string | null> {
  const result = await withSession(() =>
    postJson<{ jwt: string; expiresAt: number }>("/api/auth/session/token", options.template ? { template: options.template } : {}),
  );
  if (result.ok) return result.data.jwt;
  if (result.status === 401) return null;
  throw new GetTokenError(result.formError ?? result.errors[0]?.message ?? "Could not get a token.", result.status, result.errors[0]?.code ?? null);
}
