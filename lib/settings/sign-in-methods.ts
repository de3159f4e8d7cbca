import { AppError } from "@/lib/errors";
import type { InstanceSettings } from "./settings";

/** The first-factor switches (S8): at least one must stay on, or nobody could sign in. */
export const SIGN_IN_METHOD_SETTINGS = ["passwordSignIn", "emailCodeSignIn", "emailLinkSignIn", "oauthSignIn"] as const;

export const NO_SIGN_IN_METHOD_MESSAGE =
  "Keep at least one way to sign in turned on (password, email code, email link or OAuth), or nobody could sign in, admins included.";

/**
 * Checked on the settings a write would produce (inside its transaction, so
 * two admins turning off different methods at once cannot end with none).
 * The error sits on the `signInMethods` field: the form's sign-in section.
 */
export function assertSomeSignInMethod(settings: Pick<InstanceSettings, (typeof SIGN_IN_METHOD_SETTINGS)[number]>): void {
  if (SIGN_IN_METHOD_SETTINGS.some((key) => settings[key])) return;
  throw new AppError("validation_failed", NO_SIGN_IN_METHOD_MESSAGE, { fields: { signInMethods: [NO_SIGN_IN_METHOD_MESSAGE] } });
}
