import "server-only";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { forgetCachedSettings, readInstanceSettings, updateInstanceSettings, type InstanceSettings } from "./settings";

/**
 * The settings as the admin console reads and writes them (S8). OAuth client
 * secrets never leave the server, not even encrypted: each provider says only
 * whether it has one. Providers are saved one at a time through
 * `saveOAuthProvider` (lib/oauth), which encrypts the secret, never through
 * a settings patch.
 */
export type AdminOAuthProviderView = {
  enabled: boolean;
  clientId: string;
  issuer?: string;
  name?: string;
  teamId?: string;
  keyId?: string;
  hasClientSecret: boolean;
};

export type AdminSettingsView = Omit<InstanceSettings, "oauthProviders"> & {
  oauthProviders: Record<string, AdminOAuthProviderView>;
};

export type VersionedAdminSettings = { settings: AdminSettingsView; version: number };

export function adminSettingsView(settings: InstanceSettings): AdminSettingsView {
  const oauthProviders = Object.fromEntries(
    Object.entries(settings.oauthProviders).map(([id, { clientSecretEncrypted, ...rest }]) => [
      id,
      { ...rest, hasClientSecret: Boolean(clientSecretEncrypted) },
    ]),
  );
  return { ...settings, oauthProviders };
}

/** Fresh from the database (not the 5 s cache): the version the admin's next save names must be current. */
export async function readAdminSettings(): Promise<VersionedAdminSettings> {
  forgetCachedSettings();
  const { settings, version } = await readInstanceSettings();
  return { settings: adminSettingsView(settings), version };
}

/**
 * An admin's partial save: every field validated (400 with field errors, nothing
 * written), at least one sign-in method kept on, and based on `expectedVersion`
 * (409 when someone saved in between). Audited as `settings.updated`.
 */
export async function updateAdminSettings(
  patch: Record<string, unknown>,
  options: { expectedVersion: number; actorId: string; ip: string | null; userAgent: string | null },
): Promise<VersionedAdminSettings> {
  if (Object.hasOwn(patch, "oauthProviders")) {
    const message = "OAuth providers are saved one at a time, with their own form.";
    throw new AppError("validation_failed", message, { fields: { oauthProviders: [message] } });
  }
  if (patch.botProvider === "turnstile" && !(getConfig().TURNSTILE_SITE_KEY && getConfig().TURNSTILE_SECRET_KEY)) {
    const message = "Set TURNSTILE_SITE_KEY and TURNSTILE_SECRET_KEY in the environment first (then restart).";
    throw new AppError("validation_failed", message, { fields: { botProvider: [message] } });
  }
  if (Object.keys(patch).length === 0) {
    throw new AppError("validation_failed", "Nothing to save: send at least one setting.");
  }
  const { settings, version } = await updateInstanceSettings(patch, options);
  return { settings: adminSettingsView(settings), version };
}
