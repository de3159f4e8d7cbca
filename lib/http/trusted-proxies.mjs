// AUTH_TRUSTED_PROXIES (SPEC S10): which hops in front of the app may speak
// for the client in X-Forwarded-For. Plain ESM (no TypeScript) so the server
// scripts can validate it at start, before the first request needs it.
import proxyaddr from "proxy-addr";
import { z } from "zod";

/**
 * Unset/empty: trust nothing (the socket address is the client). An integer
 * N: trust the N nearest hops (the socket address is hop 0). Otherwise a
 * comma list of `loopback`, `linklocal`, `uniquelocal`, IPs and CIDRs.
 * Parses to proxy-addr's trust function `(address, hopIndex) => boolean`.
 */
export const trustedProxiesSchema = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const text = (value ?? "").trim();
    if (/^\d+$/.test(text)) {
      const hops = Number(text);
      return (_address, hopIndex) => hopIndex < hops;
    }
    const entries = text
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    try {
      return proxyaddr.compile(entries);
    } catch (error) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: `${error.message}; expected a hop count, or a comma list of loopback, linklocal, uniquelocal, IPs and CIDRs`,
      });
      return z.NEVER;
    }
  });

/**
 * The trust function for `value`; throws an Error naming the variable when it
 * is invalid (the same shape as lib/config.ts's errors).
 * @param {string | undefined} value
 * @returns {(address: string, hopIndex: number) => boolean}
 */
export function parseTrustedProxies(value) {
  const parsed = trustedProxiesSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `Invalid configuration:\n  AUTH_TRUSTED_PROXIES: ${parsed.error.issues[0].message}\nSee .env.example for every variable and its default.`,
    );
  }
  return parsed.data;
}
