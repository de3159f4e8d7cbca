/**
 * Route rules for middleware (S2): public routes are an explicit list,
 * everything else requires a session, and /admin also requires role=admin.
 */
/** One email's HTML as the dev inbox frames it (app/dev/inbox/[id]/html): served under its own CSP (security-headers.ts). */
const EMAIL_HTML_ROUTE = /^\/dev\/inbox\/[\w-]+\/html$/;

const PUBLIC_PATHS: readonly (string | RegExp)[] = [
  "/sign-in",
  "/sign-up",
  /^\/sign-in\/.*/,
  /^\/sign-up\/.*/,
  "/api/auth/sign-in",
  "/api/auth/sign-up",
  // Sign-up with a passkey (S13): the email first, then the new passkey, before any session exists.
  "/api/auth/sign-up/passkey",
  "/api/auth/sign-up/passkey/options",
  "/api/auth/sign-up/passkey/verify",
  // Passkey sign-in (S7): the challenge and the signed answer, before any session exists.
  "/api/auth/passkey/options",
  "/api/auth/passkey/verify",
  "/api/auth/sign-out",
  "/api/auth/handshake",
  "/api/auth/session/refresh",
  // Multi-session (S2): the accounts on this browser and switching between them, by the __client cookie.
  "/api/auth/session/accounts",
  "/api/auth/session/switch",
  // Stopping an impersonation (S8): by the __client cookie like sign-out, so the banner's plain
  // form post works even when the page's 60 s token went stale (a background tab, no JS).
  "/api/auth/impersonation/stop",
  // Bot protection (S10): the sign-up and sign-in forms' proof-of-work challenge.
  "/api/auth/bot-challenge",
  // Email codes, magic links and password reset (S4): used before any session exists.
  "/api/auth/email/send",
  "/api/auth/email/verify-code",
  "/api/auth/email/confirm-link",
  "/api/auth/email/deny-link",
  // The second factor of a sign-in (S6): before any session exists.
  "/api/auth/mfa/verify",
  "/api/auth/mfa/sms/send",
  "/api/auth/mfa/security-key/options",
  "/api/auth/email/status",
  "/api/auth/password-reset/send",
  "/api/auth/password-reset/verify",
  "/api/auth/password-reset/complete",
  // Phone numbers as an identifier (issue 19): SMS codes for sign-in and sign-up, before any session exists.
  "/api/auth/phone/send",
  "/api/auth/phone/verify-code",
  "/forgot-password",
  "/reset-password",
  // OAuth (S5): start, the provider's redirect back, and the page for every outcome but success.
  /^\/api\/auth\/oauth\/[a-z0-9-]+\/(start|callback)$/,
  "/sso-callback",
  // Cron-callable; CRON_SECRET guards it in the handler.
  "/api/cron/outbox",
  // Backend API (S9): servers call it with a secret key (`Authorization: Bearer sk_live_...`), which is
  // not a session JWT; the handler checks the key (lib/api) and answers 401 itself, in the API's error shape.
  /^\/api\/v1(\/.*)?$/,
  // Actor-token links (S9): by the __client cookie and the DB, like the handshake; a browser whose token
  // went stale still gets there, and one without the actor's session is sent to sign in by the handler.
  "/api/auth/actor-token",
  // Why an actor-token link was refused (static text by reason code).
  "/actor-token",
  // Dev inbox: the page, its JSON, its change check and each email's HTML (all 404 in production unless DEV_INBOX=on).
  "/dev/inbox",
  "/dev/inbox/messages.json",
  "/dev/inbox/version.json",
  EMAIL_HTML_ROUTE,
  // Dev SMS outbox as JSON (404 wherever the dev inbox is).
  "/dev/sms.json",
  // Health (S12): the full report, liveness and readiness, for load balancers and uptime checks.
  "/api/health",
  "/api/health/live",
  "/api/health/ready",
  // Profile pictures (S7): fetched by <img> here and in other apps; no session needed.
  /^\/avatars\/[^/]+$/,
  // The instance logo (S8 branding): on the sign-in page, in emails and in other apps.
  "/branding/logo",
  /^\/\.well-known\/.*/,
  // Benchmark pages (404 unless AUTH_BENCH_ROUTES=1): a public twin of a protected page.
  "/bench/public",
  "/bench/empty",
  "/api/bench/db-read",
  "/api/bench/memory",
  "/favicon.ico",
  "/robots.txt",
];

// Middleware asks this on every request: exact paths by one Set lookup, then the few patterns.
const PUBLIC_EXACT = new Set(PUBLIC_PATHS.filter((rule): rule is string => typeof rule === "string"));
const PUBLIC_PATTERNS = PUBLIC_PATHS.filter((rule): rule is RegExp => rule instanceof RegExp);

export function isPublicRoute(pathname: string): boolean {
  return PUBLIC_EXACT.has(pathname) || PUBLIC_PATTERNS.some((rule) => rule.test(pathname));
}

export function isEmailHtmlRoute(pathname: string): boolean {
  return EMAIL_HTML_ROUTE.test(pathname);
}

export function isApiRoute(pathname: string): boolean {
  return pathname === "/api" || pathname.startsWith("/api/");
}

export function isAdminRoute(pathname: string): boolean {
  return pathname === "/admin" || pathname.startsWith("/admin/") || pathname.startsWith("/api/admin/");
}

export const SIGN_IN_PATH = "/sign-in";
export const HANDSHAKE_PATH = "/api/auth/handshake";

/**
 * THE origin of this instance (S10): AUTH_URL's origin when set (always in
 * production), else the request's own (development only). Token issuer,
 * redirects and cookie names all derive from it, so a request that reached us
 * as http://127.0.0.1:3999 behind a proxy never leaks that origin into a Location.
 */
export function instanceOrigin(requestUrl: string | URL, authUrl: string | undefined): string {
  if (!authUrl) return new URL(requestUrl).origin;
  // AUTH_URL is fixed for the process (but tests change it): parsed once per value, not per request.
  if (authUrl !== lastAuthUrl) {
    lastAuthUrlOrigin = new URL(authUrl).origin;
    lastAuthUrl = authUrl;
  }
  return lastAuthUrlOrigin;
}
let lastAuthUrl: string | undefined;
let lastAuthUrlOrigin = "";

/** The token issuer: the instance origin. */
export function resolveIssuer(requestOrigin: string, authUrl: string | undefined): string {
  return instanceOrigin(requestOrigin, authUrl);
}
