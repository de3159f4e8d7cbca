import "server-only";
import { AppError } from "@/lib/errors";
import type { InstanceSettings } from "@/lib/settings";

/**
 * The first-factor methods an admin can switch off (S8). A switched-off
 * method is hidden on the sign-in page AND refused here, server-side, with a
 * 403 that says what to use instead. The email code and the email link are
 * separate: one sign-in email carries whichever of the two is on.
 */
export type SignInMethod = "password" | "email_code" | "email_link" | "oauth" | "passkey";

export type SignInMethodSettings = Pick<InstanceSettings, "passwordSignIn" | "emailCodeSignIn" | "emailLinkSignIn" | "oauthSignIn" | "passkeySignIn"> &
  Partial<Pick<InstanceSettings, "identifiers">>;

/** What the sign-in page offers (flags from the server page; no settings reach the browser). */
export type SignInMethods = {
  password: boolean;
  emailCode: boolean;
  emailLink: boolean;
  oauth: boolean;
  passkey: boolean;
  /** Identifiers (issue 19): the form asks for an email address, and/or offers "Use phone", and takes a username with a password. */
  email: boolean;
  phone: boolean;
  username: boolean;
};

export function signInMethods(settings: SignInMethodSettings): SignInMethods {
  return {
    password: settings.passwordSignIn,
    emailCode: settings.emailCodeSignIn,
    emailLink: settings.emailLinkSignIn,
    oauth: settings.oauthSignIn,
    passkey: settings.passkeySignIn,
    email: settings.identifiers?.email ?? true,
    phone: settings.identifiers?.phone ?? false,
    username: settings.identifiers?.username ?? false,
  };
}

const MESSAGES: Record<SignInMethod, (settings: SignInMethodSettings) => string> = {
  password: () => "Signing in with a password is turned off here. Use another way to sign in.",
  email_code: (settings) =>
    settings.emailLinkSignIn
      ? "Signing in with an emailed code is turned off here. Use the link in the email instead."
      : "Signing in with an emailed code is turned off here. Use another way to sign in.",
  email_link: (settings) =>
    settings.emailCodeSignIn
      ? "Signing in with an emailed link is turned off here. Type the code from the email instead."
      : "Signing in with an emailed link is turned off here. Use another way to sign in.",
  oauth: () => "Signing in with another account (OAuth) is turned off here. Use another way to sign in.",
  passkey: () => "Passkeys are turned off here. Use another way to sign in.",
};

const SETTING: Record<SignInMethod, keyof SignInMethodSettings> = {
  password: "passwordSignIn",
  email_code: "emailCodeSignIn",
  email_link: "emailLinkSignIn",
  oauth: "oauthSignIn",
  passkey: "passkeySignIn",
};

export function assertSignInMethodEnabled(settings: SignInMethodSettings, method: SignInMethod): void {
  if (!settings[SETTING[method]]) throw new AppError("forbidden", MESSAGES[method](settings));
}

/** The sign-in email needs its code or its link on. */
export function assertEmailSignInEnabled(settings: SignInMethodSettings): void {
  if (!settings.emailCodeSignIn && !settings.emailLinkSignIn) {
    throw new AppError("forbidden", "Signing in with an emailed code or link is turned off here. Use another way to sign in.");
  }
}
