import "server-only";
import { z } from "zod";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { getInstanceSettings } from "@/lib/settings";
import { appleUserName } from "./apple";
import { findProvider } from "./providers";

/**
 * `response_mode=form_post` (Apple): the provider's page POSTs the
 * authorization response to our callback. That POST is cross-site, so it
 * carries no SameSite=Lax cookie (the flow cookie) and its Origin is the
 * provider's. The callback's POST therefore does nothing but answer 303 to
 * the same callback as a GET with the response in the query: a top-level GET
 * navigation carries the flow cookie, and the GET runs every usual check
 * (state against the cookie, PKCE, nonce, ID token). Replaying or forging
 * the POST gains nothing a crafted GET link would not.
 *
 * Apple's `user` field (the person's name, first authorization only) is
 * sealed into the redirect, bound to the response's `state`, so the name
 * stays out of URLs and logs and cannot be swapped into another flow.
 */
export const formPostResponse = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(1024).optional(),
  iss: z.string().max(1024).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  user: z.string().max(4096).optional(),
});
export type FormPostResponse = z.infer<typeof formPostResponse>;

/** The query parameter that carries the sealed `user` field to the GET. */
export const SEALED_USER_PARAM = "sealed_user";

const FORWARDED = ["code", "state", "iss", "error", "error_description"] as const;

/** Where the callback's POST sends the browser: the same callback URL, as a GET. */
export async function formPostRedirect(input: { providerId: string; callbackUrl: string; response: FormPostResponse }): Promise<string> {
  const provider = findProvider(await getInstanceSettings(), input.providerId);
  // Only a provider that answers by form post may POST here; for any other this route stays closed.
  if (provider?.responseMode !== "form_post") throw new AppError("not_found", "This sign-in option does not answer by form post.");
  const location = new URL(input.callbackUrl);
  for (const key of FORWARDED) {
    const value = input.response[key];
    if (value) location.searchParams.set(key, value);
  }
  if (input.response.user && input.response.state) {
    location.searchParams.set(SEALED_USER_PARAM, encryptSecret(JSON.stringify({ state: input.response.state, user: input.response.user }), "oauth-form-post-user"));
  }
  return location.href;
}

/** The name from a sealed `user` field, when it was sealed for this flow's `state`; otherwise no name. */
export function openSealedUserName(sealed: string | null, state: string): { firstName: string | null; lastName: string | null } {
  if (!sealed) return { firstName: null, lastName: null };
  try {
    const { state: sealedFor, user } = z.object({ state: z.string(), user: z.string() }).parse(JSON.parse(decryptSecret(sealed, "oauth-form-post-user")));
    return sealedFor === state ? appleUserName(user) : { firstName: null, lastName: null };
  } catch {
    return { firstName: null, lastName: null };
  }
}
