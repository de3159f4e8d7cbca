import "server-only";
import { allowedRedirect } from "@/lib/http/redirect";
import { getInstanceSettings, type InstanceSettings } from "./settings";

/** The moments an admin picks a default landing place for (S8). */
export type RedirectMoment = "signIn" | "signUp" | "signOut";

const SETTING: Record<RedirectMoment, "afterSignInUrl" | "afterSignUpUrl" | "afterSignOutUrl"> = {
  signIn: "afterSignInUrl",
  signUp: "afterSignUpUrl",
  signOut: "afterSignOutUrl",
};

/** What happened before these settings existed; also where a setting no longer allowed falls back to. */
const BUILT_IN: Record<RedirectMoment, string> = { signIn: "/", signUp: "/", signOut: "/sign-in" };

/** The admin's landing place for `moment`, checked again now (ALLOWED_REDIRECT_ORIGINS may have changed since it was saved). */
export function defaultRedirect(settings: Pick<InstanceSettings, (typeof SETTING)[RedirectMoment]>, moment: RedirectMoment): string {
  return allowedRedirect(settings[SETTING[moment]], BUILT_IN[moment]);
}

/**
 * Where to send the browser after `moment`: the request's own redirect_url when
 * it passes the open-redirect rule (S10), else the admin's default for that moment.
 */
export async function redirectAfter(moment: RedirectMoment, candidate: string | null | undefined): Promise<string> {
  const settings = await getInstanceSettings();
  return allowedRedirect(candidate, defaultRedirect(settings, moment));
}
