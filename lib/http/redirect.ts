import "server-only";
import { safeRedirectUrl } from "@/lib/edge";
import { getConfig } from "@/lib/config";

/** `redirect_url` sanitised against ALLOWED_REDIRECT_ORIGINS (S10). */
export function allowedRedirect(candidate: string | null | undefined, fallback = "/"): string {
  const config = getConfig();
  const origins = [...config.ALLOWED_REDIRECT_ORIGINS, ...(config.AUTH_URL ? [new URL(config.AUTH_URL).origin] : [])];
  return safeRedirectUrl(candidate, { allowedOrigins: origins, fallback });
}
