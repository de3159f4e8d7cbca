import "server-only";
import { z } from "zod";
import { getConfig } from "@/lib/config";
import { encryptSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { readInstanceSettings, updateInstanceSettings, type VersionedSettings } from "@/lib/settings";
import { isApplePrivateKey } from "./apple";
import { isPreset, PROVIDER_PRESETS } from "./providers";

/** Apple's team and key IDs: ten uppercase letters and digits. */
const appleId = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{10}$/, `Enter the ${what}: 10 letters and digits, as shown in your Apple developer account.`);

/**
 * An admin's provider entry (S5, S8): the client secret (Apple: the private
 * key) is encrypted before it is stored.
 */
export const oauthProviderInput = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "Use lowercase letters, digits and dashes."),
  enabled: z.boolean().default(true),
  /** Apple: the Services ID (e.g. com.example.signin). */
  clientId: z.string().trim().min(1, "Enter the client ID.").max(500),
  /** Omitted on an update: the stored secret is kept. */
  clientSecret: z.string().trim().min(1, "Enter the client secret.").max(2000).optional(),
  /** Generic OpenID Connect providers, and self-managed GitLab (default https://gitlab.com). */
  issuer: z.url({ error: "Enter the issuer URL, e.g. https://login.example.com." }).optional(),
  name: z.string().trim().min(1).max(60).optional(),
  /** Apple only: the team ID, the key ID and the .p8 private key (PEM; omitted on an update: the stored key is kept). */
  teamId: appleId("team ID").optional(),
  keyId: appleId("key ID").optional(),
  privateKey: z.string().trim().min(1, "Paste the private key.").max(4000).optional(),
});
export type OAuthProviderInput = z.input<typeof oauthProviderInput>;

export async function saveOAuthProvider(
  input: OAuthProviderInput,
  actor: { actorId: string | null; ip?: string | null; userAgent?: string | null },
): Promise<VersionedSettings> {
  const parsed = oauthProviderInput.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[issue.path.join(".") || "_"] ??= []).push(issue.message);
    throw new AppError("validation_failed", "Some provider fields are invalid.", { fields });
  }
  const entry = parsed.data;
  const preset = isPreset(entry.id);
  if (!preset && !entry.issuer) {
    throw new AppError("validation_failed", "A generic OpenID Connect provider needs its issuer URL.", { fields: { issuer: ["Enter the issuer URL."] } });
  }
  const apple = entry.id === "apple";
  if (apple) await assertAppleKey(entry);
  const { settings, version } = await readInstanceSettings();
  const existing = settings.oauthProviders[entry.id];
  // Apple has no client secret: its private key is the secret that is stored (and sealed) instead.
  const secret = apple ? entry.privateKey : entry.clientSecret;
  const clientSecretEncrypted = secret ? encryptSecret(secret, "oauth-client-secret") : existing?.clientSecretEncrypted;
  if (!clientSecretEncrypted) {
    const [field, message] = apple ? ["privateKey", "Paste the private key (.p8 file)."] : ["clientSecret", "Enter the client secret."];
    throw new AppError("validation_failed", message, { fields: { [field]: [message] } });
  }
  const issuerAllowed = !preset || PROVIDER_PRESETS[entry.id as keyof typeof PROVIDER_PRESETS].issuerConfigurable;
  const stored = {
    enabled: entry.enabled,
    clientId: entry.clientId,
    clientSecretEncrypted,
    ...(issuerAllowed && entry.issuer ? { issuer: entry.issuer } : {}),
    ...(!preset && entry.name ? { name: entry.name } : {}),
    ...(apple ? { teamId: entry.teamId, keyId: entry.keyId } : {}),
  };
  return updateInstanceSettings({ oauthProviders: { ...settings.oauthProviders, [entry.id]: stored } }, { expectedVersion: version, ...actor });
}

/** Apple needs its team and key IDs, and a private key that is a P-256 PKCS#8 key (what Apple's .p8 holds). */
async function assertAppleKey(entry: z.output<typeof oauthProviderInput>): Promise<void> {
  const fields: Record<string, string[]> = {};
  if (!entry.teamId) fields.teamId = ["Enter the team ID."];
  if (!entry.keyId) fields.keyId = ["Enter the key ID."];
  if (entry.clientSecret) fields.clientSecret = ["Apple has no client secret: paste the private key instead."];
  if (entry.privateKey && !(await isApplePrivateKey(entry.privateKey))) {
    fields.privateKey = ["This is not an Apple private key: paste the whole .p8 file, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----."];
  }
  if (Object.keys(fields).length > 0) throw new AppError("validation_failed", "Some Apple fields are invalid.", { fields });
}

/** One row of the admin's provider list (S5, S8). Never carries a secret, not even encrypted. */
export type AdminOAuthProvider = {
  id: string;
  name: string;
  /** A built-in provider (Google, GitHub, ...) or a generic OpenID Connect one. */
  preset: boolean;
  /** Where its credentials come from: the admin's settings win over the environment. */
  source: "settings" | "environment" | "none";
  enabled: boolean;
  clientId: string | null;
  /** Apple: whether its private key is stored. */
  hasClientSecret: boolean;
  issuer: string | null;
  /** What the provider's form asks for: a client secret, Apple's key, and whether the issuer can be set. */
  credentials: "client_secret" | "apple_key";
  issuerEditable: boolean;
  /** Apple only. */
  teamId: string | null;
  keyId: string | null;
};

/** Every built-in provider (configured or not) and every generic one, for the admin's settings page. */
export async function listOAuthProvidersForAdmin(): Promise<AdminOAuthProvider[]> {
  const { settings } = await readInstanceSettings();
  const fromEnv = new Map(getConfig().OAUTH_PROVIDERS.map((entry) => [entry.id, entry]));
  const ids = new Set([...Object.keys(PROVIDER_PRESETS), ...fromEnv.keys(), ...Object.keys(settings.oauthProviders)]);
  return [...ids].map((id): AdminOAuthProvider => {
    const preset = isPreset(id) ? PROVIDER_PRESETS[id] : null;
    const stored = settings.oauthProviders[id];
    const env = fromEnv.get(id);
    const shape = {
      id,
      preset: Boolean(preset),
      credentials: id === "apple" ? ("apple_key" as const) : ("client_secret" as const),
      issuerEditable: !preset || Boolean(preset.issuerConfigurable),
    };
    if (stored) {
      const { enabled, clientId, issuer, teamId, keyId } = stored;
      return { ...shape, name: preset?.name ?? stored.name ?? id, source: "settings", enabled, clientId, hasClientSecret: true, issuer: issuer ?? null, teamId: teamId ?? null, keyId: keyId ?? null };
    }
    if (env) {
      const { clientId, issuer, teamId, keyId } = env;
      return { ...shape, name: preset?.name ?? env.name ?? id, source: "environment", enabled: true, clientId, hasClientSecret: true, issuer: issuer ?? null, teamId: teamId ?? null, keyId: keyId ?? null };
    }
    return { ...shape, name: preset?.name ?? id, source: "none", enabled: false, clientId: null, hasClientSecret: false, issuer: null, teamId: null, keyId: null };
  });
}
