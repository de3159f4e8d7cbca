/**
 * Every rate limit the portal applies (S10 defaults), in one place. A rule
 * counts requests per key, where the key is the client IP or the identifier
 * (lower-cased email) the request is about. lib/http/handler.ts applies the
 * rules of ROUTE_RULES to each route before the route runs.
 */
export type RateLimitRule = {
  /** Stable name: part of every store key, so renaming one resets its counters. */
  name: string;
  limit: number;
  windowSeconds: number;
  by: "ip" | "identifier";
};

const rule = (name: string, limit: number, windowSeconds: number, by: RateLimitRule["by"]): RateLimitRule => ({
  name,
  limit,
  windowSeconds,
  by,
});

const MINUTE = 60;
const HOUR = 60 * MINUTE;

export const RATE_LIMIT_RULES = {
  signInPerIdentifier: rule("sign-in:identifier", 10, 15 * MINUTE, "identifier"),
  signInPerIp: rule("sign-in:ip", 30, MINUTE, "ip"),
  signUpPerIp: rule("sign-up:ip", 10, HOUR, "ip"),
  sendPerIdentifier: rule("send:identifier", 3, 10 * MINUTE, "identifier"),
  // Backstop for sends whose body names the address differently, and for one IP spraying many addresses.
  sendPerIp: rule("send:ip", 30, 10 * MINUTE, "ip"),
  // Each code/link also has its own 5-try cap (S4); this caps guessing across codes from one IP.
  verifyPerIp: rule("verify:ip", 30, MINUTE, "ip"),
  // Browsers refresh every 50 s per open tab; generous so a household behind one NAT is never limited.
  sessionPerIp: rule("session:ip", 600, MINUTE, "ip"),
} as const satisfies Record<string, RateLimitRule>;

const R = RATE_LIMIT_RULES;

/** Route path -> the rules applied to it, IP rules first (they are checked before the body is read). */
export const ROUTE_RULES: Readonly<Record<string, readonly RateLimitRule[]>> = {
  "/api/auth/sign-in": [R.signInPerIp, R.signInPerIdentifier],
  // Sign-up mails a code + link (S4), so it also counts as a send for that address.
  "/api/auth/sign-up": [R.signUpPerIp, R.sendPerIdentifier],
  "/api/auth/email/send": [R.sendPerIp, R.sendPerIdentifier],
  "/api/auth/password-reset/send": [R.sendPerIp, R.sendPerIdentifier],
  "/api/auth/email/verify-code": [R.verifyPerIp],
  "/api/auth/email/confirm-link": [R.verifyPerIp],
  "/api/auth/password-reset/verify": [R.verifyPerIp],
  "/api/auth/password-reset/complete": [R.verifyPerIp],
  // Polled by the tab waiting for its link to be confirmed (about once a second at most).
  "/api/auth/email/status": [R.sessionPerIp],
  "/api/auth/handshake": [R.sessionPerIp],
  "/api/auth/session/refresh": [R.sessionPerIp],
};

export function rulesForPath(pathname: string): readonly RateLimitRule[] {
  const normalized = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return ROUTE_RULES[normalized] ?? [];
}
