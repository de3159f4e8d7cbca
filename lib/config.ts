import "server-only";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";

/**
 * Every environment variable the portal reads, validated once at start.
 * Defaults live here and in .env.example (keep the two in step).
 */
const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  );

const intWithDefault = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url({ message: "must be a postgresql:// connection string" }),
  DATABASE_POOL_MAX: intWithDefault(10, 1, 200),
  AUTH_SECRET: z.string().min(32, { message: "must be at least 32 characters (try: openssl rand -base64 32)" }).optional(),
  /** The secret AUTH_SECRET replaced, during a rotation: read-only (docs/security.md, "Rotating AUTH_SECRET"). */
  AUTH_SECRET_PREVIOUS: z.string().min(32, { message: "must be at least 32 characters: the AUTH_SECRET it replaces" }).optional(),
  AUTH_URL: z.string().url().optional(),
  ALLOWED_REDIRECT_ORIGINS: csv,
  ADMIN_EMAILS: csv.transform((emails) => emails.map((email) => email.toLowerCase())),
  AUTH_BCRYPT_COST: intWithDefault(10, 4, 15),
  AUTH_SESSION_TOKEN_TTL_SECONDS: intWithDefault(60, 2, 3600),
  AUTH_SESSION_MAX_AGE_DAYS: intWithDefault(7, 1, 365),
  AUTH_COOKIE_DOMAIN: z.string().optional(),
  AUTH_PASSWORD_HASH_WORKERS: intWithDefault(0, 0, 64),
  /** smtp:// or smtps:// URL with credentials; unset = dev inbox + console (no mail leaves the machine). */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, { message: "must be an smtp:// or smtps:// URL" }).optional(),
  MAIL_FROM: z.string().min(3).default("Auth Portal <no-reply@localhost>"),
  /** Bearer secret for /api/cron/outbox; unset = open in development, refused in production (lib/email/cron.ts). */
  CRON_SECRET: z.string().min(16, { message: "must be at least 16 characters" }).optional(),
  /** /dev/inbox is off in production unless DEV_INBOX=on (the e2e harness turns it on). */
  DEV_INBOX: z.enum(["on", "off"]).optional(),
  /** In-process outbox sender for self-hosted servers; off = only /api/cron/outbox sends. */
  OUTBOX_LOOP: z.enum(["on", "off"]).default("on"),
  /**
   * Webhook URLs to loopback and private addresses are refused in production (SSRF,
   * lib/webhooks/url-guard.ts); "on" allows them (a receiver on the same host or
   * network; the e2e harness). Outside production they are always allowed.
   */
  WEBHOOK_ALLOW_PRIVATE_URLS: z.enum(["on", "off"]).default("off"),
  /**
   * S10: the default of the bot-protection setting (admins change it in /admin/settings).
   * "off" is for test suites that post forms without a browser; the product default is on.
   */
  BOT_PROTECTION: z.enum(["on", "off"]).default("on"),
  /**
   * S10: Cloudflare Turnstile, for teams who prefer it to the built-in proof of work. Both keys
   * or neither. Read by the middleware too: the CSP allows Cloudflare's frame only when set.
   */
  TURNSTILE_SITE_KEY: z.string().min(1).optional(),
  TURNSTILE_SECRET_KEY: z.string().min(1).optional(),
});

export type Config = Omit<z.infer<typeof envSchema>, "AUTH_SECRET"> & { AUTH_SECRET: string; OAUTH_PROVIDERS: OAuthProviderEnv[] };

/**
 * An OAuth provider configured in the environment (S5): the presets as
 * OAUTH_<GOOGLE|GITHUB|MICROSOFT|DISCORD|FACEBOOK|X|LINKEDIN|GITLAB>_CLIENT_ID /
 * _CLIENT_SECRET (GitLab also _ISSUER for a self-managed instance), Apple as
 * OAUTH_APPLE_CLIENT_ID (the Services ID), _TEAM_ID, _KEY_ID and _PRIVATE_KEY
 * (the .p8 file's PEM; "\n" escapes allowed), and any number of generic OpenID
 * Connect providers as OAUTH_OIDC_<ID>_ISSUER, _CLIENT_ID, _CLIENT_SECRET and
 * optional _NAME. For Apple, `clientSecret` holds the private key.
 */
export type OAuthProviderEnv = { id: string; clientId: string; clientSecret: string; issuer?: string; name?: string; teamId?: string; keyId?: string };

const OAUTH_PRESETS = ["google", "github", "microsoft", "discord", "facebook", "x", "linkedin", "gitlab"] as const;
const OAUTH_RESERVED: readonly string[] = [...OAUTH_PRESETS, "apple"];

export function parseOAuthProviderEnv(env: NodeJS.ProcessEnv): { providers: OAuthProviderEnv[]; problems: string[] } {
  const providers: OAuthProviderEnv[] = [];
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;
  const pair = (prefix: string) => {
    const clientId = value(`${prefix}_CLIENT_ID`);
    const clientSecret = value(`${prefix}_CLIENT_SECRET`);
    if (!clientId && !clientSecret) return null;
    if (!clientId) problems.push(`  ${prefix}_CLIENT_ID: required when ${prefix}_CLIENT_SECRET is set`);
    if (!clientSecret) problems.push(`  ${prefix}_CLIENT_SECRET: required when ${prefix}_CLIENT_ID is set`);
    return clientId && clientSecret ? { clientId, clientSecret } : null;
  };
  for (const preset of OAUTH_PRESETS) {
    const credentials = pair(`OAUTH_${preset.toUpperCase()}`);
    if (credentials) providers.push({ id: preset, ...credentials });
  }
  const gitlabIssuer = value("OAUTH_GITLAB_ISSUER");
  if (gitlabIssuer) {
    const gitlab = providers.find((provider) => provider.id === "gitlab");
    if (!URL.canParse(gitlabIssuer)) problems.push("  OAUTH_GITLAB_ISSUER: must be a URL such as https://gitlab.example.com");
    else if (gitlab) gitlab.issuer = gitlabIssuer;
  }
  const apple = {
    clientId: value("OAUTH_APPLE_CLIENT_ID"),
    teamId: value("OAUTH_APPLE_TEAM_ID"),
    keyId: value("OAUTH_APPLE_KEY_ID"),
    privateKey: value("OAUTH_APPLE_PRIVATE_KEY")?.replaceAll("\\n", "\n"),
  };
  if (Object.values(apple).some(Boolean)) {
    const missing = (["CLIENT_ID", "TEAM_ID", "KEY_ID", "PRIVATE_KEY"] as const).filter((suffix) => !value(`OAUTH_APPLE_${suffix}`));
    for (const suffix of missing) problems.push(`  OAUTH_APPLE_${suffix}: required for Sign in with Apple (with the other OAUTH_APPLE_* variables)`);
    if (missing.length === 0) providers.push({ id: "apple", clientId: apple.clientId!, clientSecret: apple.privateKey!, teamId: apple.teamId, keyId: apple.keyId });
  }
  const generic = new Set<string>();
  for (const key of Object.keys(env)) {
    const match = /^OAUTH_OIDC_([A-Z0-9_]+?)_(ISSUER|CLIENT_ID|CLIENT_SECRET|NAME)$/.exec(key);
    if (match) generic.add(match[1]);
  }
  for (const name of [...generic].sort()) {
    const prefix = `OAUTH_OIDC_${name}`;
    const id = name.toLowerCase().replaceAll("_", "-");
    const issuer = value(`${prefix}_ISSUER`);
    const credentials = pair(prefix);
    if (!issuer) problems.push(`  ${prefix}_ISSUER: required for a generic OpenID Connect provider (its issuer URL)`);
    else if (!URL.canParse(issuer)) problems.push(`  ${prefix}_ISSUER: must be a URL such as https://login.example.com`);
    if (OAUTH_RESERVED.includes(id)) problems.push(`  ${prefix}_*: "${id}" is a built-in provider; pick another name`);
    if (issuer && URL.canParse(issuer) && credentials) providers.push({ id, issuer, name: value(`${prefix}_NAME`), ...credentials });
    else if (!credentials && issuer) problems.push(`  ${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET: required`);
  }
  return { providers, problems };
}

let cached: Config | undefined;

export function getConfig(): Config {
  if (!cached) cached = loadConfig(process.env);
  return cached;
}

/** For tests that change env between cases. */
export function resetConfigCache(): void {
  cached = undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every variable and its default.`);
  }
  const config = parsed.data;
  const oauth = parseOAuthProviderEnv(env);
  if (oauth.problems.length > 0) {
    throw new Error(`Invalid configuration:\n${oauth.problems.join("\n")}\nSee .env.example for every variable and its default.`);
  }
  if (config.NODE_ENV === "production") assertProductionRequirements(config);
  const secret = config.AUTH_SECRET ?? devAuthSecret();
  if (config.AUTH_SECRET_PREVIOUS === secret) {
    throw new Error(
      "Invalid configuration:\n  AUTH_SECRET_PREVIOUS: is the same as AUTH_SECRET; during a rotation it holds the secret AUTH_SECRET replaced (docs/security.md).",
    );
  }
  return { ...config, AUTH_SECRET: secret, OAUTH_PROVIDERS: oauth.providers };
}

/**
 * Production never guesses: without AUTH_SECRET every encrypted key and hashed
 * token would depend on a made-up secret, and without AUTH_URL the issuer,
 * Origin checks, emailed links and redirects would follow whatever Host or
 * X-Forwarded-Proto a request carries (S10). Both are named at once.
 */
function assertProductionRequirements(config: z.infer<typeof envSchema>): void {
  const missing: string[] = [];
  if (!config.AUTH_SECRET) {
    missing.push("AUTH_SECRET is required in production. Generate one with `openssl rand -base64 32` and set it in the environment.");
  }
  if (!config.AUTH_URL) {
    missing.push("AUTH_URL is required in production: set it to the portal's public origin, e.g. AUTH_URL=https://auth.example.com.");
  }
  if (missing.length > 0) throw new Error(missing.join("\n"));
}

/**
 * Local development gets an AUTH_SECRET created on first start and kept in
 * .data/ (git-ignored); production has refused to start without one above.
 */
function devAuthSecret(): string {
  const file = path.join(process.cwd(), ".data", "auth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    const secret = crypto.randomBytes(32).toString("base64url");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
