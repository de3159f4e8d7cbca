import "server-only";
import { publicProviders } from "@/lib/oauth";
import { readLastProviderFromCookies } from "@/lib/session";
import { getInstanceSettings } from "@/lib/settings";
import { OAuthButtons } from "./OAuthButtons";

/** The configured providers' buttons for an auth page (S5); nothing when none is configured. */
export async function SocialButtons({ redirectUrl }: { redirectUrl?: string }) {
  const [settings, lastUsed] = await Promise.all([getInstanceSettings(), readLastProviderFromCookies()]);
  const providers = publicProviders(settings);
  if (providers.length === 0) return null;
  return <OAuthButtons providers={providers} lastUsed={lastUsed} redirectUrl={redirectUrl} />;
}
