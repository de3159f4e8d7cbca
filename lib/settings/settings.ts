import "server-only";
import { z } from "zod";
import { assertOutsideTransaction, db } from "@/lib/db";
import { getConfig, type Config } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { Prisma } from "@/lib/generated/prisma/client";
import { accessListSchema } from "./access-lists";
import { assertSomeSignInMethod } from "./sign-in-methods";
import { allowedRedirect } from "@/lib/http/redirect";

/**
 * A default landing place: validated by the same rule as a request's redirect_url
 * (lib/http allowedRedirect: a path here or an ALLOWED_REDIRECT_ORIGINS URL), normalized.
 * Checked again when used, so a stored URL whose origin left the allowlist falls back.
 */
const redirectTarget = z
  .string({ error: "Enter a path such as /account or an allowed URL." })
  .trim()
  .min(1, "Enter a path such as /account or an allowed URL.")
  .max(2048, "Use at most 2048 characters.")
  .transform((value, ctx) => {
    const allowed = allowedRedirect(value, "");
    if (!allowed) {
      ctx.addIssue({ code: "custom", message: "Use a path on this site (starting with /) or a URL on an origin in ALLOWED_REDIRECT_ORIGINS." });
      return z.NEVER;
    }
    return allowed;
  });

/** A terms or privacy page: an https URL anywhere, or a path on this site. */
const documentLink = z
  .string({ error: "Enter an https:// URL or a path starting with /." })
  .trim()
  .max(2048, "Use at most 2048 characters.")
  .refine(isDocumentLink, "Enter an https:// URL or a path starting with /.")
  .nullable();

function isDocumentLink(value: string): boolean {
  if (value.startsWith("/")) return !value.startsWith("//") && !/[\\\u0000-\u001f\s]/.test(value);
  try {
    const url = new URL(value);
    return url.protocol === "https:" && Boolean(url.hostname) && !url.username && !url.password;
  } catch {
    return false;
  }
}

/**
 * Admin-editable instance settings (S8) as ONE tree: the environment gives
 * the defaults, the stored row (InstanceSettings "default") overrides them
 * field by field. A stored field that no longer validates falls back to its
 * default on its own; the others keep their stored values. Writes name the
 * version they read, so two admins saving at once cannot silently overwrite
 * each other, and every write is audited.
 */
export const IDENTIFIERS_NEED_EMAIL_OR_PHONE = "Keep email or phone numbers on: every account needs one of them.";

const fields = {
  multiSession: z.boolean(),
  /** Maximum session lifetime (S2); also the `__client` cookie's lifetime. Default: AUTH_SESSION_MAX_AGE_DAYS. */
  sessionMaxAgeDays: z.number().int().min(1).max(365),
  /** Minutes of inactivity after which a session ends; null = off (S2 default). */
  inactivityTimeoutMinutes: z.number().int().min(5).max(525_600).nullable(),
  passwordMinScore: z.number().int().min(0).max(4),
  /** S4: sign-up waits for an emailed code or link before the account exists. */
  emailVerificationAtSignUp: z.boolean(),
  /**
   * S4: a magic link opened in ANOTHER browser may complete the sign-in in the
   * browser that asked for it, after the clicking person saw where the request
   * came from. Off by default: a link then completes only where it was asked for.
   */
  emailLinkCrossDevice: z.boolean(),
  /** S6: text-message codes as a second factor. Off by default (SMS costs money and is the weakest factor). */
  smsSecondFactor: z.boolean(),
  /**
   * S6: authenticator apps (TOTP) as a second factor. Off refuses new enrolments and hides the setup;
   * factors already confirmed keep verifying at sign-in, so nobody is locked out of their account.
   */
  totpSecondFactor: z.boolean(),
  /**
   * Issue 19: security keys (WebAuthn credentials that are a second factor only) next to TOTP and SMS.
   * Same semantics as `totpSecondFactor`: off refuses new keys; keys already added keep verifying.
   */
  securityKeySecondFactor: z.boolean(),
  /**
   * S4: what verification emails (sign-up, an added address) carry. "code" refuses the link,
   * "link" refuses the code, even from an email sent before the change.
   */
  verificationEmailContent: z.enum(["code", "link", "both"], "Choose code, link or both."),
  /**
   * S4, S8: sign in by the 6-digit code of the sign-in email (`emailLinkSignIn`
   * is its link). Off leaves the other methods; emailed codes still verify
   * addresses at sign-up and reset passwords.
   */
  emailCodeSignIn: z.boolean(),
  /** S8: sign in with email address and password (off also hides "Forgot password?"). */
  passwordSignIn: z.boolean(),
  /** S4, S8: sign in by the link in the sign-in email. With the code off too, no sign-in email is sent. */
  emailLinkSignIn: z.boolean(),
  /** S5, S8: sign in and sign up with OAuth providers; off hides every provider button. */
  oauthSignIn: z.boolean(),
  /**
   * S7, S8: sign in with a passkey (button and autofill) and add passkeys on the account
   * page. Off refuses both; passkeys already added stay listed so they can be removed.
   */
  passkeySignIn: z.boolean(),
  /**
   * S7: the passkeys' relying party id when it should be a parent domain of the instance
   * (auth.example.com -> "example.com", so sibling apps can use the same passkeys). Null: the
   * instance's own host. Used only while the instance host is that domain or under it.
   * Changing it makes existing passkeys unusable (they are bound to the old id).
   */
  passkeyRpId: z
    .string()
    .trim()
    .toLowerCase()
    .max(253, "Use at most 253 characters.")
    .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, "Enter a domain name such as example.com.")
    .nullable(),
  /**
   * S13: sign up with a passkey instead of a password (the email is verified first). Off by
   * default; works only while `passkeySignIn` is on too (a passkey-only account needs it).
   */
  passkeySignUp: z.boolean(),
  /**
   * Issue 19, S1: what people sign up and sign in with. Email (default, the only one on),
   * phone number (an SMS code is the first factor, through the SMS provider of S6) and
   * username (+ password, on the sign-in form). Email or phone stays on: an account needs
   * one of them to be reached. Email off hides it in the forms and refuses new email
   * sign-ups; accounts that have an address keep signing in with it.
   */
  identifiers: z
    .strictObject({ email: z.boolean(), phone: z.boolean(), username: z.boolean() }, "Choose the identifiers.")
    .refine((value) => value.email || value.phone, { message: IDENTIFIERS_NEED_EMAIL_OR_PHONE }),
  /** S8: who may create an account: anyone, only the allowlist, or only invited addresses (and the allowlist). */
  signUpMode: z.enum(["public", "restricted", "invitation"], "Choose public, restricted or invitation."),
  /** S8: email addresses and domains that may sign up while sign-ups are restricted. */
  allowlist: accessListSchema,
  /** S8: email addresses and domains that may neither sign up nor sign in. */
  blocklist: accessListSchema,
  /** S3: minimum password length in characters (NIST: at least 8; at most 72, bcrypt's byte limit). */
  passwordMinLength: z
    .number({ error: "Enter a number." })
    .int("Enter a whole number.")
    .min(8, "Use at least 8 (the NIST minimum).")
    .max(72, "Use at most 72: longer passwords exceed bcrypt's 72-byte limit."),
  /**
   * S5, S8: OAuth providers set by an admin; they take precedence over the
   * same provider in the environment. Client secrets are stored encrypted
   * (lib/crypto.ts, purpose "oauth-client-secret"), never in plain text.
   */
  oauthProviders: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "Use lowercase letters, digits and dashes."),
    z.strictObject({
      enabled: z.boolean(),
      clientId: z.string().min(1).max(500),
      /** The client secret; for Apple, the team's .p8 private key that signs the client secret. */
      clientSecretEncrypted: z.string().startsWith("v1.", "Store the secret through saveOAuthProvider (encrypted)."),
      issuer: z.url().optional(),
      name: z.string().min(1).max(60).optional(),
      /** Apple: the team ID and the private key's ID (both public identifiers). */
      teamId: z.string().min(1).max(20).optional(),
      keyId: z.string().min(1).max(20).optional(),
    }),
  ),
  /** Branding (S8, S11): used in emails; the pages read the CSS variables. */
  brandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, "Use a colour like #4f46e5."),
  /** Branding (S8, S11): the name on every page and email. Default: NEXT_PUBLIC_INSTANCE_NAME, else "Auth Portal". */
  instanceName: z
    .string()
    .trim()
    .min(1, "Enter a name.")
    .max(60, "Use at most 60 characters.")
    .regex(/^[^\p{Cc}\p{Cf}]*$/u, "Use letters, digits, spaces and punctuation only."),
  /** Branding (S11): "system" follows the visitor's prefers-color-scheme; "light" / "dark" force one. */
  theme: z.enum(["system", "light", "dark"], "Choose system, light or dark."),
  /**
   * S10: bot protection. On: every self-service sign-up carries a solved proof-of-work challenge
   * (or a Turnstile token), and sign-ins, code sends and password resets do when risk says so.
   * Default: on (BOT_PROTECTION=off makes the default off, for test suites that post forms directly).
   */
  botProtection: z.boolean(),
  /** S10: how much work a challenge asks of the browser: about 0.3 s, 1 s or 3 s on a phone. */
  botChallengeDifficulty: z.enum(["low", "normal", "high"], "Choose low, normal or high."),
  /** S10: when sign-ins, code sends and resets are challenged: on risk signals only, always, or never. */
  botChallengeSignIn: z.enum(["risk", "always", "never"], "Choose risk, always or never."),
  /** S10: which check the browser passes: the built-in proof of work, or Cloudflare Turnstile (needs TURNSTILE_* keys). */
  botProvider: z.enum(["altcha", "turnstile"], "Choose altcha or turnstile."),
  /** S10: refuse sign-ups from disposable email domains (the disposable-email-domains list; the allowlist wins). */
  blockDisposableEmails: z.boolean(),
  /** Where a sign-in ends when the request named no redirect_url (a path here or an ALLOWED_REDIRECT_ORIGINS URL). */
  afterSignInUrl: redirectTarget,
  /** Where a sign-up ends when the request named no redirect_url. */
  afterSignUpUrl: redirectTarget,
  /** Where the browser goes after signing out (the last account on it). */
  afterSignOutUrl: redirectTarget,
  /** S5: provider buttons above the sign-in and sign-up forms (the default, S5) or below them. */
  socialButtonsPlacement: z.enum(["top", "bottom"], "Choose top or bottom."),
  /** Links shown on sign-up ("By signing up you agree to the Terms and Privacy Policy"); null: not shown. */
  termsUrl: documentLink,
  privacyUrl: documentLink,
} as const;

type Fields = typeof fields;

export const PASSKEY_SIGN_UP_NEEDS_PASSKEYS = "Turn on passkeys (Sign-in methods) before sign-up with a passkey.";

/** S13: passkey sign-up is offered and accepted only while passkeys are on as well. */
export function passkeySignUpEnabled(settings: Pick<InstanceSettings, "passkeySignIn" | "passkeySignUp">): boolean {
  return settings.passkeySignIn && settings.passkeySignUp;
}
export type InstanceSettings = { [K in keyof Fields]: z.infer<Fields[K]> };
export type InstanceSettingsPatch = Partial<InstanceSettings>;
export type VersionedSettings = { settings: InstanceSettings; version: number };

/** A patch as an admin (or a test) sends it: known fields only, each validated. */
export const settingsPatchSchema: z.ZodType<InstanceSettingsPatch> = z.strictObject(fields).partial();

export function instanceSettingsDefaults(config: Pick<Config, "AUTH_SESSION_MAX_AGE_DAYS" | "BOT_PROTECTION"> = getConfig()): InstanceSettings {
  return {
    multiSession: false,
    sessionMaxAgeDays: config.AUTH_SESSION_MAX_AGE_DAYS,
    inactivityTimeoutMinutes: null,
    passwordMinScore: 2,
    emailVerificationAtSignUp: true,
    emailLinkCrossDevice: false,
    smsSecondFactor: false,
    totpSecondFactor: true,
    securityKeySecondFactor: true,
    verificationEmailContent: "both",
    emailCodeSignIn: true,
    passwordSignIn: true,
    emailLinkSignIn: true,
    oauthSignIn: true,
    passkeySignIn: true,
    passkeyRpId: null,
    passkeySignUp: false,
    identifiers: { email: true, phone: false, username: false },
    signUpMode: "public",
    allowlist: [],
    blocklist: [],
    passwordMinLength: 8,
    oauthProviders: {},
    brandColor: "#4f46e5",
    instanceName: envInstanceName(),
    theme: "system",
    botProtection: config.BOT_PROTECTION === "on",
    botChallengeDifficulty: "normal",
    botChallengeSignIn: "risk",
    botProvider: "altcha",
    blockDisposableEmails: true,
    afterSignInUrl: "/",
    afterSignUpUrl: "/",
    afterSignOutUrl: "/sign-in",
    socialButtonsPlacement: "top",
    termsUrl: null,
    privacyUrl: null,
  };
}

/** The instance name the environment gives (also what client code shows before settings load). */
export function envInstanceName(): string {
  return process.env.NEXT_PUBLIC_INSTANCE_NAME?.trim().slice(0, 60) || "Auth Portal";
}

/** Defaults overridden by every stored field that still validates; `invalid` names the ones that did not. */
export function parseStoredSettings(
  stored: unknown,
  defaults: InstanceSettings,
): { settings: InstanceSettings; invalid: string[] } {
  const settings = { ...defaults };
  const invalid: string[] = [];
  const record = stored && typeof stored === "object" && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
  for (const key of Object.keys(fields) as (keyof Fields)[]) {
    if (!(key in record)) continue;
    const parsed = fields[key].safeParse(record[key]);
    if (parsed.success) (settings as Record<string, unknown>)[key] = parsed.data;
    else invalid.push(key);
  }
  return { settings, invalid };
}

const DEFAULT_CACHE_MS = 5_000;
let cacheMs = DEFAULT_CACHE_MS;
let cached: { value: VersionedSettings; loadedAt: number } | undefined;
const warnedInvalid = new Set<string>();

/** The current settings and their version, read from the DB at most every 5 s per process. */
export async function readInstanceSettings(): Promise<VersionedSettings> {
  assertOutsideTransaction("a settings read");
  if (cached && Date.now() - cached.loadedAt < cacheMs) return cached.value;
  const row = await db.instanceSettings.findUnique({ where: { id: "default" } });
  const { settings, invalid } = parseStoredSettings(row?.data, instanceSettingsDefaults());
  for (const key of invalid) {
    if (warnedInvalid.has(key)) continue;
    warnedInvalid.add(key);
    console.warn(`[settings] stored value of "${key}" is invalid; using its default until an admin saves it again`);
  }
  const value = { settings, version: row?.version ?? 0 };
  cached = { value, loadedAt: Date.now() };
  return value;
}

/**
 * The settings, for domain code. Read them BEFORE opening a transaction and
 * pass them in: inside `$transaction` only the transaction's client may be used
 * (with one connection, a read through `db` waits for the transaction forever).
 */
export async function getInstanceSettings(): Promise<InstanceSettings> {
  return (await readInstanceSettings()).settings;
}

export function forgetCachedSettings(): void {
  cached = undefined;
}

/** Tests: 0 makes every read go to the DB (the one-connection suite uses it to catch reads inside transactions). */
export function setSettingsCacheTtlForTests(ms: number): void {
  cacheMs = ms;
  cached = undefined;
}

/** What the audit log keeps of a setting: OAuth client secrets stay out, even encrypted. */
function auditValue(key: keyof InstanceSettings, value: unknown): unknown {
  if (key !== "oauthProviders" || !value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as InstanceSettings["oauthProviders"]).map(([id, { clientSecretEncrypted: _secret, ...rest }]) => [id, rest]),
  );
}

/**
 * Applies `patch` on top of the version the writer read. A concurrent write
 * in between makes this one fail with `conflict` (409) instead of overwriting
 * it. Audited as `settings.updated` with each changed field's old and new value.
 */
export async function updateInstanceSettings(
  patch: InstanceSettingsPatch,
  options: { expectedVersion: number; actorId?: string | null; ip?: string | null; userAgent?: string | null },
): Promise<VersionedSettings> {
  const parsed = settingsPatchSchema.safeParse(patch);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [issue.path.join(".") || "_"];
      for (const key of keys) (fieldErrors[key] ??= []).push(issue.code === "unrecognized_keys" ? "Unknown setting." : issue.message);
    }
    throw new AppError("validation_failed", "Some settings are invalid.", { fields: fieldErrors });
  }
  const defaults = instanceSettingsDefaults();
  const conflict = () =>
    new AppError("conflict", "The settings were changed by someone else in the meantime. Reload them and try again.");

  const written = await db.$transaction(async (tx) => {
    const row = await tx.instanceSettings.findUnique({ where: { id: "default" } });
    if ((row?.version ?? 0) !== options.expectedVersion) throw conflict();
    const storedData = (row?.data && typeof row.data === "object" ? row.data : {}) as Record<string, unknown>;
    const before = parseStoredSettings(storedData, defaults).settings;
    const data = { ...storedData, ...parsed.data };
    const version = options.expectedVersion + 1;
    if (row) {
      const { count } = await tx.instanceSettings.updateMany({
        where: { id: "default", version: options.expectedVersion },
        data: { data: data as object, version },
      });
      if (count !== 1) throw conflict();
    } else {
      await tx.instanceSettings.create({ data: { id: "default", data: data as object, version } });
    }
    const after = parseStoredSettings(data, defaults).settings;
    assertSomeSignInMethod(after);
    // Turning passkey sign-up on needs passkeys on; turning passkeys off later leaves it stored but inert.
    if (parsed.data.passkeySignUp && !after.passkeySignIn) {
      throw new AppError("validation_failed", PASSKEY_SIGN_UP_NEEDS_PASSKEYS, { fields: { passkeySignUp: [PASSKEY_SIGN_UP_NEEDS_PASSKEYS] } });
    }
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(parsed.data) as (keyof InstanceSettings)[]) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
        changed[key] = { from: auditValue(key, before[key]), to: auditValue(key, after[key]) };
      }
    }
    await recordAuditEvent(
      {
        type: "settings.updated",
        actorId: options.actorId ?? null,
        ip: options.ip ?? null,
        userAgent: options.userAgent ?? null,
        data: { version, changed },
      },
      tx,
    );
    return { settings: after, version };
  }).catch((error: unknown) => {
    // Two first-ever writes racing to create the row: the loser lost the update race.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw conflict();
    throw error;
  });
  cached = undefined;
  return written;
}
