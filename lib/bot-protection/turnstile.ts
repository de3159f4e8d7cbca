import "server-only";
import { z } from "zod";

/**
 * Cloudflare Turnstile (S10), for teams who prefer it to the built-in proof of
 * work: the browser gets a token from Cloudflare's widget, and the server
 * redeems it once with Siteverify. Cloudflare refuses a token it has seen
 * before (`timeout-or-duplicate`), so replays fail there.
 */
export const TURNSTILE_SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

const siteverifyResponse = z.object({
  success: z.boolean(),
  "error-codes": z.array(z.string()).default([]),
  hostname: z.string().optional(),
  action: z.string().optional(),
});

export type TurnstileCheck = { ok: true } | { ok: false; reason: "challenge_invalid" | "challenge_expired" | "provider_unavailable" };

export type TurnstileOptions = {
  secret: string;
  ip: string | null;
  /** The fetch boundary: Cloudflare in production, a local stand-in in tests. */
  fetch?: typeof fetch;
  url?: string;
  timeoutMs?: number;
};

export async function checkTurnstileToken(token: string, options: TurnstileOptions): Promise<TurnstileCheck> {
  const form = new URLSearchParams({ secret: options.secret, response: token });
  if (options.ip) form.set("remoteip", options.ip);
  let body: unknown;
  try {
    const response = await (options.fetch ?? fetch)(options.url ?? TURNSTILE_SITEVERIFY_URL, {
      method: "POST",
      body: form,
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    if (!response.ok) return { ok: false, reason: "provider_unavailable" };
    body = await response.json();
  } catch {
    return { ok: false, reason: "provider_unavailable" };
  }
  const parsed = siteverifyResponse.safeParse(body);
  if (!parsed.success) return { ok: false, reason: "provider_unavailable" };
  if (parsed.data.success) return { ok: true };
  const codes = parsed.data["error-codes"];
  if (codes.includes("timeout-or-duplicate")) return { ok: false, reason: "challenge_expired" };
  // A secret Cloudflare does not accept is our configuration, not the visitor's answer.
  if (codes.some((code) => code.includes("secret"))) return { ok: false, reason: "provider_unavailable" };
  return { ok: false, reason: "challenge_invalid" };
}
