import "server-only";
import { z } from "zod";
import { getConfig } from "@/lib/config";
import { encryptSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { readInstanceSettings, updateInstanceSettings, type VersionedSettings } from "@/lib/settings";
import { PROVIDER_PRESETS } from "./providers";

/** An admin's provider entry (S5, S8): the client secret is encrypted before it is stored. */
export const oauthProviderInput = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "Use lowercase letters, digits and dashes."),
  enabled: z.boolean().default(true),
  clientId: z.string().trim().min(1, "Enter the client ID.").max(500),
  /** Omitted on an update: the stored secret is kept. */
  clientSecret: z.string().trim().min(1, "Enter the client secret.").max(2000).optional(),
  issuer: z.url({ error: "Enter the issuer URL, e.g. https://login.example.com." }).optional(),
  name: z.string().trim().min(1).max(60).optional(),
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
  const preset = Object.hasOwn(PROVIDER_PRESETS, entry.id);
  if (!preset && !entry.issuer) {
    throw new AppError("validation_failed", "A generic OpenID Connect provider needs its issuer URL.", { fields: { issuer: ["Enter the issuer URL."] } });
  }
  const { settings, version } = await readInstanceSettings();
  const existing = settings.oauthProviders[entry.id];
  const clientSecretEncrypted = entry.clientSecret ? encryptSecret(entry.clientSecret, "oauth-client-secret") : existing?.clientSecretEncrypted;
  if (!clientSecretEncrypted) {
    throw new AppError("validation_failed", "Enter the client secret.", { fields: { clientSecret: ["Enter the client secret."] } });
  }
  const stored = {
    enabled: entry.enabled,
    clientId: entry.clientId,
    clientSecretEncrypted,
    ...(preset ? {} : { issuer: entry.issuer, ...(entry.name ? { name: entry.name } : {}) }),
  };
  return updateInstanceSettings({ oauthProviders: { ...settings.oauthProviders, [entry.id]: stored } }, { expectedVersion: version, ...actor });
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
  hasClientSecret: boolean;
  issuer: string | null;
};

/** Every built-in provider (configured or not) and every generic one, for the admin's settings page. */
export async function listOAuthProvidersForAdmin(): Promise<AdminOAuthProvider[]> {
  const { settings } = await readInstanceSettings();
  const fromEnv = new Map(getConfig().OAUTH_PROVIDERS.map((entry) => [entry.id, entry]));
  const ids = new Set([...Object.keys(PROVIDER_PRESETS), ...fromEnv.keys(), ...Object.keys(settings.oauthProviders)]);
  return [...ids].map((id) => {
    const preset = Object.hasOwn(PROVIDER_PRESETS, id);
    const stored = settings.oauthProviders[id];
    const env = fromEnv.get(id);
    const presetName = preset ? PROVIDER_PRESETS[id as keyof typeof PROVIDER_PRESETS].name : null;
    if (stored) {
      return { id, name: presetName ?? stored.name ?? id, preset, source: "settings", enabled: stored.enabled, clientId: stored.clientId, hasClientSecret: true, issuer: stored.issuer ?? null };
    }
    if (env) {
      return { id, name: presetName ?? env.name ?? id, preset, source: "environment", enabled: true, clientId: env.clientId, hasClientSecret: true, issuer: env.issuer ?? null };
    }
    return { id, name: presetName ?? id, preset, source: "none", enabled: false, clientId: null, hasClientSecret: false, issuer: null };
  });
}
