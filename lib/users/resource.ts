import "server-only";
import type { Tx } from "@/lib/db";

/**
 * The user as other apps see it (S9): the same JSON in webhook events
 * (`user.created`, `user.updated`) and in the backend API (`/api/v1/users`),
 * snake_case with millisecond timestamps, in the shape Clerk's SDKs and
 * receivers already parse. Never holds a password hash or MFA secret.
 */
export const USER_RESOURCE_SELECT = {
  id: true,
  role: true,
  firstName: true,
  lastName: true,
  username: true,
  externalId: true,
  imageUrl: true,
  passwordHash: true,
  banned: true,
  lockedUntil: true,
  publicMetadata: true,
  privateMetadata: true,
  unsafeMetadata: true,
  primaryEmailAddressId: true,
  primaryPhoneNumberId: true,
  totpEnabled: true,
  backupCodesEnabled: true,
  mfaEnabled: true,
  lastSignInAt: true,
  lastActiveAt: true,
  createdAt: true,
  updatedAt: true,
  emailAddresses: { select: { id: true, email: true, verified: true }, orderBy: { createdAt: "asc" } },
  phoneNumbers: { select: { id: true, phone: true, verified: true }, orderBy: { createdAt: "asc" } },
  externalAccounts: { select: { id: true, provider: true, providerUserId: true, email: true, username: true, imageUrl: true } },
} as const;

type UserResourceRow = {
  id: string;
  role: string;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  externalId: string | null;
  imageUrl: string | null;
  passwordHash: string | null;
  banned: boolean;
  lockedUntil: Date | null;
  publicMetadata: unknown;
  privateMetadata: unknown;
  unsafeMetadata: unknown;
  primaryEmailAddressId: string | null;
  primaryPhoneNumberId: string | null;
  totpEnabled: boolean;
  backupCodesEnabled: boolean;
  mfaEnabled: boolean;
  lastSignInAt: Date | null;
  lastActiveAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  emailAddresses: { id: string; email: string; verified: boolean }[];
  phoneNumbers: { id: string; phone: string; verified: boolean }[];
  externalAccounts: { id: string; provider: string; providerUserId: string; email: string | null; username: string | null; imageUrl: string | null }[];
};

const ms = (date: Date | null) => (date ? date.getTime() : null);

export function toUserResource(user: UserResourceRow, now = new Date()) {
  return {
    object: "user" as const,
    id: user.id,
    role: user.role,
    first_name: user.firstName,
    last_name: user.lastName,
    username: user.username,
    external_id: user.externalId,
    image_url: user.imageUrl,
    has_image: user.imageUrl !== null,
    primary_email_address_id: user.primaryEmailAddressId,
    primary_phone_number_id: user.primaryPhoneNumberId,
    email_addresses: user.emailAddresses.map((email) => ({
      object: "email_address" as const,
      id: email.id,
      email_address: email.email,
      verification: { status: email.verified ? "verified" : "unverified" },
    })),
    phone_numbers: user.phoneNumbers.map((phone) => ({
      object: "phone_number" as const,
      id: phone.id,
      phone_number: phone.phone,
      verification: { status: phone.verified ? "verified" : "unverified" },
    })),
    external_accounts: user.externalAccounts.map((account) => ({
      object: "external_account" as const,
      id: account.id,
      provider: account.provider,
      provider_user_id: account.providerUserId,
      email_address: account.email,
      username: account.username,
      image_url: account.imageUrl,
    })),
    password_enabled: user.passwordHash !== null,
    two_factor_enabled: user.mfaEnabled,
    totp_enabled: user.totpEnabled,
    backup_code_enabled: user.backupCodesEnabled,
    banned: user.banned,
    locked: user.lockedUntil !== null && user.lockedUntil > now,
    public_metadata: user.publicMetadata,
    private_metadata: user.privateMetadata,
    unsafe_metadata: user.unsafeMetadata,
    last_sign_in_at: ms(user.lastSignInAt),
    last_active_at: ms(user.lastActiveAt),
    created_at: user.createdAt.getTime(),
    updated_at: user.updatedAt.getTime(),
  };
}

export type UserResource = ReturnType<typeof toUserResource>;

/** Reads one user as a resource with the caller's client (a transaction's `tx`, or `db`); null if gone. */
export async function readUserResource(client: Tx, userId: string): Promise<UserResource | null> {
  const user = await client.user.findUnique({ where: { id: userId }, select: USER_RESOURCE_SELECT });
  return user ? toUserResource(user) : null;
}

/** Reads users as resources, in the order of `userIds` (the gone ones left out), with one query. */
export async function readUserResources(client: Tx, userIds: string[]): Promise<UserResource[]> {
  const users = await client.user.findMany({ where: { id: { in: userIds } }, select: USER_RESOURCE_SELECT });
  const byId = new Map(users.map((user) => [user.id, user]));
  return userIds.flatMap((id) => {
    const user = byId.get(id);
    return user ? [toUserResource(user)] : [];
  });
}
