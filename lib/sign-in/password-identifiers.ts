import "server-only";
import { AppError } from "@/lib/errors";
import type { User } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import type { InstanceSettings } from "@/lib/settings";
import { normalizePhoneNumber } from "@/lib/sms";
import { assertSignInAllowed, findAccountByEmail, findAccountByPhone, normalizeEmail } from "@/lib/users";
import { normalizeUsername } from "@/lib/users/username";
import { assertPhoneIdentifierEnabled } from "./phone-flow";

/**
 * What a password sign-in names its account by (issue 19): an email address
 * (always), a username (setting `identifiers.username`) or a verified phone
 * number (setting `identifiers.phone`). The answer for an unknown one is the
 * same as for a wrong password (S10); which kinds are accepted depends on the
 * settings only.
 */
export type PasswordIdentifier = { email: string } | { username: string } | { phone: string };

export type PasswordAccount = {
  user: User;
  /** The address typed, when verified (its ADMIN_EMAILS grant applies); null for a username or phone. */
  verifiedEmail: string | null;
  /** The session token's email_verified claim when known without another query. */
  emailVerifiedClaim: boolean | undefined;
};

export const USERNAME_SIGN_IN_OFF_MESSAGE = "Signing in with a username is turned off here. Use your email address.";

/** The generic refusal, worded for what was typed (never for whether an account exists). */
export function invalidCredentialsMessage(identifier: PasswordIdentifier): string {
  if ("username" in identifier) return "Username or password is incorrect.";
  if ("phone" in identifier) return "Phone number or password is incorrect.";
  return "Email address or password is incorrect.";
}

/** `key`: the normalized identifier, for the per-identifier budget and the attempt. */
export async function resolvePasswordIdentifier(
  identifier: PasswordIdentifier,
  settings: Pick<InstanceSettings, "identifiers" | "blocklist">,
): Promise<{ key: string; account: PasswordAccount | null }> {
  if ("username" in identifier) {
    if (!settings.identifiers.username) {
      throw new AppError("forbidden", USERNAME_SIGN_IN_OFF_MESSAGE, { fields: { username: [USERNAME_SIGN_IN_OFF_MESSAGE] } });
    }
    const username = normalizeUsername(identifier.username);
    const user = username ? await db.user.findUnique({ where: { username } }) : null;
    // "username:" keeps the budget apart from an email address that looks the same.
    return { key: `username:${username}`, account: user ? { user, verifiedEmail: null, emailVerifiedClaim: undefined } : null };
  }
  if ("phone" in identifier) {
    assertPhoneIdentifierEnabled(settings);
    const phone = normalizePhoneNumber(identifier.phone);
    const found = await findAccountByPhone(phone);
    return { key: phone, account: found ? { user: found.user, verifiedEmail: null, emailVerifiedClaim: undefined } : null };
  }
  const emailNormalized = normalizeEmail(identifier.email);
  // Policy first (S8): the answer depends on the settings and the typed address only, never on an account.
  assertSignInAllowed(emailNormalized, settings);
  const found = await findAccountByEmail(emailNormalized, { allowUnverifiedPrimary: true });
  if (!found) return { key: emailNormalized, account: null };
  return {
    key: emailNormalized,
    account: {
      user: found.user,
      verifiedEmail: found.address.verified ? emailNormalized : null,
      // The address used to sign in is usually the primary one: then its verified flag is the claim, no extra query.
      emailVerifiedClaim: found.address.id === found.user.primaryEmailAddressId ? found.address.verified : undefined,
    },
  };
}
