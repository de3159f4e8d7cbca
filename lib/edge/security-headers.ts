/**
 * Security headers for every response middleware produces (S10). Edge-safe:
 * Web Crypto only. The CSP carries a fresh nonce per request; middleware also
 * puts the CSP on the *request* headers, where Next.js reads the nonce and
 * stamps it on its own scripts and inline styles while rendering.
 */
import { isEmailHtmlRoute } from "./routes";

export type SecurityHeaderOptions = {
  nonce: string;
  /** NODE_ENV: 'unsafe-eval' only in development (React's dev tooling), HSTS only in production. */
  environment: string | undefined;
  /** The request's path: the dev inbox's email HTML gets its own CSP (EMAIL_HTML_CSP). */
  pathname?: string;
  /** TURNSTILE_SITE_KEY is set (S10): Cloudflare's widget may frame and call its own origin. */
  turnstile?: boolean;
};

/** Cloudflare Turnstile's one origin (its script, its frame, its calls). */
const TURNSTILE_ORIGIN = "https://challenges.cloudflare.com";

/**
 * An email's HTML as the dev inbox frames it: the email's own inline styles
 * and images, nothing else (no scripts, forms or fonts), sandboxed, framable by
 * our own pages only. Middleware's headers override a route handler's, so the
 * route (app/dev/inbox/[id]/html) gets it from here; it sets the same itself.
 * Links may open a new tab that leaves the sandbox (the magic link must work).
 */
export const EMAIL_HTML_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src data: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  "sandbox allow-popups allow-popups-to-escape-sandbox",
].join("; ");

/**
 * Random bytes for nonces, drawn 256 nonces at a time: each getRandomValues call
 * costs about as much as the rest of the CSP work, while every nonce still gets
 * 16 bytes of its own from the CSPRNG, used once.
 */
const NONCE_BYTES = 16;
const noncePool = new Uint8Array(NONCE_BYTES * 256);
let noncePoolOffset = noncePool.length;

/** 128 random bits, base64: the form Next.js's nonce parser accepts. */
export function createNonce(): string {
  if (noncePoolOffset === noncePool.length) {
    crypto.getRandomValues(noncePool);
    noncePoolOffset = 0;
  }
  const bytes = noncePool.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return btoa(String.fromCharCode(...bytes));
}

/** The policy split where the nonce goes, per (development, turnstile): built once, joined per request. */
const NONCE_SLOT = "\u0000nonce\u0000";
const cspTemplates = new Map<string, string[]>();

export function contentSecurityPolicy({ nonce, environment, turnstile }: SecurityHeaderOptions): string {
  const development = environment === "development";
  const templateKey = `${development} ${Boolean(turnstile)}`;
  let template = cspTemplates.get(templateKey);
  if (!template) {
    template = buildContentSecurityPolicy(NONCE_SLOT, development, Boolean(turnstile)).split(NONCE_SLOT);
    cspTemplates.set(templateKey, template);
  }
  return template.join(nonce);
}

function buildContentSecurityPolicy(nonce: string, development: boolean, turnstile: boolean): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    // 'strict-dynamic': scripts our nonce'd scripts load (Next's chunks) are trusted; nothing else is.
    "script-src": ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    // Production: no 'unsafe-inline': our CSS is a stylesheet file, Next nonces what it inlines, and React
    // sets client-side style props through CSSOM, which CSP allows (the e2e suite checks for violations).
    // Development: Next's dev tooling (overlay, HMR style injection) writes inline styles without the
    // nonce, and a nonce would make browsers ignore 'unsafe-inline'; so dev allows inline styles only.
    "style-src": development ? ["'self'", "'unsafe-inline'"] : ["'self'", `'nonce-${nonce}'`],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", ...(turnstile ? [TURNSTILE_ORIGIN] : [])],
    // The bot-protection widget (S10) solves its proof of work in workers from our own bundle.
    "worker-src": ["'self'", "blob:"],
    // Our own frames (the dev inbox shows each email in one), and Turnstile's widget when a team chose it (S10).
    "frame-src": ["'self'", ...(turnstile ? [TURNSTILE_ORIGIN] : [])],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const emailHtml = options.pathname !== undefined && isEmailHtmlRoute(options.pathname);
  return {
    "Content-Security-Policy": emailHtml ? EMAIL_HTML_CSP : contentSecurityPolicy(options),
    "X-Frame-Options": emailHtml ? "SAMEORIGIN" : "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    // Browsers ignore HSTS over plain http, so local `next start` is unaffected.
    ...(options.environment === "production" ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {}),
  };
}

export function applySecurityHeaders(headers: Headers, values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) headers.set(name, value);
}
