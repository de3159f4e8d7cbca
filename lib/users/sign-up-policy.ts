import "server-only";
import { AppError } from "@/lib/errors";
import { matchesAccessList, type InstanceSettings } from "@/lib/settings";
import { isAdminEmail } from "./email";

/**
 * Who may sign up and sign in (S8, S10): the sign-up mode, the allowlist and
 * the blocklist. Pure decisions on the address and the settings, so every
 * path asks the same question, and the answer depends only on the address
 * typed and the instance's policy, never on whether an account exists (no
 * enumeration).
 *
 * - blocklisted address or domain: no sign-up, no sign-in;
 * - "public": anyone else may sign up;
 * - "restricted": only allowlisted addresses or domains;
 * - "invitation": allowlisted ones, or whoever holds a valid invitation for
 *   exactly that address.
 * ADMIN_EMAILS addresses count as allowlisted: an instance must never lock
 * out the admins its operator configured.
 */
export type AccessPolicySettings = Pick<InstanceSettings, "signUpMode" | "allowlist" | "blocklist">;

export const SIGN_UP_RESTRICTED_MESSAGE = "Sign-ups are restricted on this instance. Ask an administrator for access.";
export const SIGN_IN_BLOCKED_MESSAGE = "This email address can’t be used to sign in here. Contact an administrator if you think this is a mistake.";

/** A refusal by policy (403 `forbidden` on the `email` field); `reason` lets OAuth callbacks pick their page. */
export class AccessPolicyError extends AppError {
  readonly reason: "sign_up_restricted" | "sign_in_blocked";

  constructor(reason: "sign_up_restricted" | "sign_in_blocked", message: string, field: "email" | "phone" = "email") {
    super("forbidden", message, { fields: { [field]: [message] } });
    this.name = "AccessPolicyError";
    this.reason = reason;
  }
}

/**
 * What the sign-up presented: a usable invitation (checked by lib/users/invitations.ts),
 * or the reason the one it presented cannot be used, or nothing.
 */
export type InvitationCheck = { id: string; emailNormalized: string } | { problem: string } | null;

/**
 * THE sign-up check, at the start of every sign-up attempt and again in
 * `createUser` (the last line of defence). Throws `AccessPolicyError`.
 */
export function assertSignUpAllowed(emailNormalized: string, settings: AccessPolicySettings, invitation: InvitationCheck = null): void {
  if (matchesAccessList(emailNormalized, settings.blocklist)) {
    throw new AccessPolicyError("sign_up_restricted", SIGN_UP_RESTRICTED_MESSAGE);
  }
  if (settings.signUpMode === "public") return;
  if (matchesAccessList(emailNormalized, settings.allowlist) || isAdminEmail(emailNormalized)) return;
  if (settings.signUpMode === "invitation" && invitation) {
    if ("id" in invitation && invitation.emailNormalized === emailNormalized) return;
    // The holder of a token learns about that invitation only, never about an account.
    if ("problem" in invitation) throw new AccessPolicyError("sign_up_restricted", invitation.problem);
  }
  throw new AccessPolicyError("sign_up_restricted", SIGN_UP_RESTRICTED_MESSAGE);
}

/**
 * A sign-up by phone number (issue 19): the allowlist and invitations name
 * email addresses, so a phone alone may sign up only while sign-ups are public.
 */
export function assertPhoneSignUpAllowed(settings: AccessPolicySettings): void {
  if (settings.signUpMode !== "public") throw new AccessPolicyError("sign_up_restricted", SIGN_UP_RESTRICTED_MESSAGE, "phone");
}

export const EMAIL_SIGN_UP_OFF_MESSAGE = "Signing up with an email address is turned off here. Use your phone number.";

/** Issue 19: with the email identifier off, nobody signs up by typing an address (OAuth sign-ups are their own switch). */
export function assertEmailSignUpEnabled(settings: Pick<InstanceSettings, "identifiers">): void {
  if (!settings.identifiers.email) throw new AccessPolicyError("sign_up_restricted", EMAIL_SIGN_UP_OFF_MESSAGE);
}

/** Sign-in: a blocklisted address (or one at a blocklisted domain) never gets a session. */
export function assertSignInAllowed(emailNormalized: string, settings: Pick<InstanceSettings, "blocklist">): void {
  if (matchesAccessList(emailNormalized, settings.blocklist)) {
    throw new AccessPolicyError("sign_in_blocked", SIGN_IN_BLOCKED_MESSAGE);
  }
}

/** Whether any of a user's addresses is blocklisted (checked before a session opens). */
export function anyBlocked(emailsNormalized: readonly string[], settings: Pick<InstanceSettings, "blocklist">): boolean {
  return settings.blocklist.length > 0 && emailsNormalized.some((email) => matchesAccessList(email, settings.blocklist));
}
