import "server-only";
import { publicProviders } from "@/lib/oauth";
import { readLastProviderFromCookies } from "@/lib/session";
import { getInstanceSettings } from "@/lib/settings";
import { OAuthButtons } from "./OAuthButtons";

/**
 * The configured providers' buttons for an auth page (S5); nothing when none
 * is configured or an admin turned OAuth sign-in off (S8).
 */
export async function SocialButtons({
  redirectUrl,
  divider = true,
  placement = "top",
}: {
  redirectUrl?: string;
  divider?: boolean;
  /** Above or below the form (S8 `socialButtonsPlacement`): decides where the "or" divider goes. */
  placement?: "top" | "bottom";
}) {
  const [settings, lastUsed] = await Promise.all([getInstanceSettings(), readLastProviderFromCookies()]);
  if (!settings.oauthSignIn) return null;
  const providers = publicProviders(settings);
  if (providers.length === 0) return null;
  return <OAuthButtons providers={providers} lastUsed={lastUsed} redirectUrl={redirectUrl} divider={divider} placement={placement} />;
}

/** Whether an auth page shows provider buttons at all (S5, S8). */
export async function socialSignInAvailable(): Promise<boolean> {
  const settings = await getInstanceSettings();
  return settings.oauthSignIn && publicProviders(settings).length > 0;
}
