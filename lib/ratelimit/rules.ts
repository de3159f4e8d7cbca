/**
 * Every rate limit the portal applies (S10 defaults), in one place. A rule
 * counts requests per key: the client IP, an identifier (lower-cased email,
 * stored hashed) or a known device.
 *
 * Per-IP rules are applied by lib/http/handler.ts to each route in
 * ROUTE_RULES before its body is read. Per-identifier and per-device budgets
 * are applied by the domain code that knows what the request is about: a
 * resend names only its attempt, and a browser that has signed in as this
 * user before (device cookie) has its own sign-in budget (lib/sign-in).
 */
export type RateLimitRule = {
  /** Stable name: part of every store key, so renaming one resets its counters. */
  name: string;
  limit: number;
  windowSeconds: number;
  by: "ip" | "identifier" | "device";
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
  // Password sign-in from a browser that has not signed in as this user before (strangers).
  // Keyed by address and the account's lockout epoch, so an admin unlock starts it afresh everywhere.
  signInPerIdentifier: rule("sign-in:identifier", 10, 15 * MINUTE, "identifier"),
  // Password sign-in from a known device: its own budget, so strangers cannot lock the owner out (S10).
  signInPerDevice: rule("sign-in:device", 10, 15 * MINUTE, "device"),
  signInPerIp: rule("sign-in:ip", 30, MINUTE, "ip"),
  signUpPerIp: rule("sign-up:ip", 10, HOUR, "ip"),
  // Every email with a code or link to one address: first sends AND resends (S10).
  sendPerIdentifier: rule("send:identifier", 3, 10 * MINUTE, "identifier"),
  sendPerIdentifierPerDay: rule("send:identifier:day", 20, 24 * HOUR, "identifier"),
  // Backstop for one IP spraying many addresses.
  sendPerIp: rule("send:ip", 30, 10 * MINUTE, "ip"),
  // Texts cost money per message and attract SMS pumping (toll fraud through premium numbers): every
  // code texted at someone's request (sign-in, sign-up, reset, adding a number) also counts per IP.
  smsSendPerIp: rule("sms-send:ip", 10, 10 * MINUTE, "ip"),
  // Wrong codes for one address across resends and attempts (each code also has its own 5-try cap, S4).
  codeFailuresPerIdentifier: rule("code-failures:identifier", 15, HOUR, "identifier"),
  verifyPerIp: rule("verify:ip", 30, MINUTE, "ip"),
  // Wrong second-factor codes for one account, across attempts (each attempt is also void after 5, S6).
  secondFactorFailuresPerUser: rule("second-factor-failures:user", 10, HOUR, "identifier"),
  // Re-verification (step-up) by password or code, per account.
  reverifyPerUser: rule("reverify:user", 10, 15 * MINUTE, "identifier"),
  // OAuth round trips (start and callback), per IP: each callback costs a code exchange with the provider.
  oauthPerIp: rule("oauth:ip", 30, MINUTE, "ip"),
  // Browsers refresh every 50 s per open tab; generous so a household behind one NAT is never limited.
  sessionPerIp: rule("session:ip", 600, MINUTE, "ip"),
  // Account pages (S7): the live username check runs as the user types (debounced).
  usernameCheckPerIp: rule("username-check:ip", 300, MINUTE, "ip"),
  // Avatar uploads decode and re-encode an image (CPU): per IP before the body is read, and per account.
  avatarUploadPerIp: rule("avatar-upload:ip", 60, HOUR, "ip"),
  avatarUploadPerUser: rule("avatar-upload:user", 30, HOUR, "identifier"),
  // Bot protection (S10): not a limit but a risk signal. Wrong passwords and wrong codes from one IP;
  // at the limit, that IP's sign-ins, code sends and resets need a solved challenge (lib/bot-protection).
  clientFailuresPerIp: rule("failures:ip", 5, HOUR, "ip"),
  // Proof-of-work challenges handed out (each costs the server one key derivation).
  botChallengePerIp: rule("bot-challenge:ip", 120, MINUTE, "ip"),
  // Backend API (S9, /api/v1): per secret key (the key id, hashed like an identifier), checked after the key.
  apiPerKey: rule("api:key", 100, 10, "identifier"),
} as const satisfies Record<string, RateLimitRule>;

const R = RATE_LIMIT_RULES;

/** Route path -> the per-IP rules applied to it before its body is read. */
export const ROUTE_RULES: Readonly<Record<string, readonly RateLimitRule[]>> = {
  "/api/auth/sign-in": [R.signInPerIp],
  "/api/auth/sign-up": [R.signUpPerIp],
  // Passkey sign-up (S13): the start counts as a sign-up; options make a challenge; verify checks a signature.
  "/api/auth/sign-up/passkey": [R.signUpPerIp],
  "/api/auth/sign-up/passkey/options": [R.verifyPerIp],
  "/api/auth/sign-up/passkey/verify": [R.verifyPerIp],
  // Passkey sign-in (S7): options make an attempt and a challenge; verify checks a signature.
  "/api/auth/passkey/options": [R.signInPerIp],
  "/api/auth/passkey/verify": [R.verifyPerIp],
  "/api/auth/bot-challenge": [R.botChallengePerIp],
  "/api/auth/email/send": [R.sendPerIp],
  // Phone numbers as an identifier (issue 19); the texts also count on smsSendPerIp in lib/sign-in/phone-flow.ts.
  "/api/auth/phone/send": [R.sendPerIp],
  "/api/auth/phone/verify-code": [R.verifyPerIp],
  "/api/auth/password-reset/send": [R.sendPerIp],
  "/api/auth/email/verify-code": [R.verifyPerIp],
  "/api/auth/email/confirm-link": [R.verifyPerIp],
  "/api/auth/email/deny-link": [R.verifyPerIp],
  "/api/auth/password-reset/verify": [R.verifyPerIp],
  "/api/auth/password-reset/complete": [R.verifyPerIp],
  "/api/auth/mfa/verify": [R.verifyPerIp],
  "/api/auth/mfa/sms/send": [R.sendPerIp],
  // Security keys (issue 19): options make a challenge, as passkey options do.
  "/api/auth/mfa/security-key/options": [R.verifyPerIp],
  "/api/auth/reverify/security-key/options": [R.verifyPerIp],
  "/api/auth/reverify": [R.verifyPerIp],
  "/api/auth/reverify/sms/send": [R.sendPerIp],
  "/api/auth/reverify/email/send": [R.sendPerIp],
  // Polled by the tab waiting for its link to be confirmed (about once a second at most).
  "/api/auth/email/status": [R.sessionPerIp],
  "/api/auth/handshake": [R.sessionPerIp],
  "/api/auth/session/refresh": [R.sessionPerIp],
  // getToken({ template }) (S9): a fresh session token or a JWT template token.
  "/api/auth/session/token": [R.sessionPerIp],
  "/api/account/username": [R.usernameCheckPerIp],
  "/api/account/avatar": [R.avatarUploadPerIp],
  "/api/auth/session/accounts": [R.sessionPerIp],
  "/api/auth/session/switch": [R.sessionPerIp],
  // Account page (S7): adding an address and resending its code send email; its code is a verify.
  "/api/account/emails/add": [R.sendPerIp],
  "/api/account/emails/resend": [R.sendPerIp],
  "/api/account/emails/verify": [R.verifyPerIp],
  "/api/account/phones/add": [R.sendPerIp],
  "/api/account/phones/resend": [R.sendPerIp],
  "/api/account/phones/verify": [R.verifyPerIp],
};

export function rulesForPath(pathname: string): readonly RateLimitRule[] {
  const normalized = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (/^\/api\/auth\/oauth\/[^/]+\/(start|callback)$/.test(normalized)) return [R.oauthPerIp];
  return ROUTE_RULES[normalized] ?? [];
}
