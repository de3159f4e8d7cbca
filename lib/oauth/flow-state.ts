import "server-only";
import { z } from "zod";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { OAuthFlowError } from "./errors";

/**
 * What ties a callback to the browser that started the flow (S5): the PKCE
 * verifier, `state` and `nonce`, kept in a short-lived HttpOnly cookie,
 * encrypted and authenticated (AES-GCM under an AUTH_SECRET-derived key), so
 * the browser can neither read the verifier nor forge a flow.
 */
export const OAUTH_FLOW_TTL_MS = 10 * 60_000;

const flowStateSchema = z.object({
  v: z.literal(1),
  provider: z.string(),
  state: z.string(),
  nonce: z.string().nullable(),
  codeVerifier: z.string(),
  redirectUrl: z.string(),
  intent: z.enum(["sign_in", "connect"]),
  /** Connect: the signed-in user the identity may be linked to, and only them. */
  userId: z.string().nullable(),
  expiresAt: z.number(),
});

export type OAuthFlowState = z.infer<typeof flowStateSchema>;

export function sealFlowState(state: OAuthFlowState): string {
  return encryptSecret(JSON.stringify(state), "oauth-flow");
}

/** The flow this browser started, or the reason the callback cannot be trusted. */
export function openFlowState(sealed: string | null | undefined, providerId: string, now = Date.now()): OAuthFlowState {
  if (!sealed) throw new OAuthFlowError("state_missing");
  let state: OAuthFlowState;
  try {
    state = flowStateSchema.parse(JSON.parse(decryptSecret(sealed, "oauth-flow")));
  } catch {
    throw new OAuthFlowError("state_missing");
  }
  if (state.expiresAt <= now) throw new OAuthFlowError("expired");
  if (state.provider !== providerId) throw new OAuthFlowError("state_mismatch");
  return state;
}
