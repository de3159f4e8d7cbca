import "server-only";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { Prisma } from "@/lib/generated/prisma/client";
import { emitWebhookEvent } from "@/lib/webhooks/events";
import { readUserResource } from "./resource";
import { isAdminEmail } from "./email";
import { acceptInvitation, checkInvitationById } from "./invitations";
import { assertPhoneSignUpAllowed, assertSignUpAllowed, type AccessPolicySettings } from "./sign-up-policy";

export type NewUser = {
  /** An id chosen before the account exists: a passkey sign-up's (S13), already the passkey's user handle. */
  userId?: string;
  /** As typed (display); `emailNormalized` is what lookups use. Null: a phone-only account (issue 19). */
  email: string | null;
  emailNormalized: string | null;
  /** The address was proved (code, link, or later a provider that vouches for it). */
  emailVerified: boolean;
  /** A phone number (E.164) proved by an SMS code: a sign-up by phone (issue 19). Becomes the primary number. */
  phone?: string | null;
  passwordHash?: string | null;
  passwordCost?: number | null;
  firstName?: string | null;
  lastName?: string | null;
  /** A profile picture to start with (an OAuth provider's, S5). */
  imageUrl?: string | null;
  /** The OAuth identity the account was made with (S5): linked in the same transaction. */
  externalAccount?: ExternalIdentity | null;
  /** Metadata to start with (an account made through the backend API, S9), each already checked (lib/users metadataObjectSchema). */
  metadata?: { publicMetadata?: Record<string, unknown>; privateMetadata?: Record<string, unknown>; unsafeMetadata?: Record<string, unknown> };
  /** How the account was made, for the audit log: "password", "email_code", "email_link", ... */
  method: string;
  /**
   * An account moved in from another provider (lib/import): its id
   * there, its username (already normalized and checked), when it was made
   * there (it has not signed in here yet), and its other email addresses.
   */
  imported?: {
    externalId: string;
    username?: string | null;
    createdAt?: Date | null;
    otherEmails?: { email: string; emailNormalized: string; verified: boolean }[];
  };
  /**
   * The sign-up policy (S8) checked once more here, the last line of defence
   * whatever path led here: the settings read before the transaction and the
   * invitation the attempt presented (accepted here, once). Only an account
   * an admin creates is not a sign-up.
   */
  signUpPolicy: { settings: AccessPolicySettings; invitationId: string | null } | { skip: "created_by_admin" };
};

/** An OAuth / OIDC identity as the account stores it. */
export type ExternalIdentity = {
  provider: string;
  providerUserId: string;
  email: string | null;
  emailVerified: boolean;
  username?: string | null;
  imageUrl?: string | null;
};

export const EMAIL_TAKEN_MESSAGE = "That email address is already in use. Try signing in instead.";
export const PHONE_TAKEN_MESSAGE = "That phone number is already in use. Try signing in instead.";

/**
 * THE way an account comes to exist (every sign-up path calls it, inside the
 * sign-up's transaction): the user, its primary email address, the
 * ADMIN_EMAILS grant and the `user.created` audit event.
 *
 * An address is unique among verified rows only (partial unique index), so a
 * verified sign-up never loses to someone's unverified row. An UNverified
 * sign-up (verification at sign-up turned off) takes an advisory lock on the
 * address and refuses when anyone already holds it, verified or as an
 * unverified primary address, so password sign-in always finds one account.
 * ADMIN_EMAILS grants admin only through a verified address (S10).
 */
export async function createUser(
  tx: Tx,
  input: NewUser,
  context: { ip: string | null; userAgent: string | null; now?: Date },
): Promise<{ userId: string; emailAddressId: string | null; phoneNumberId: string | null; role: "user" | "admin" }> {
  const now = context.now ?? new Date();
  const policy = "settings" in input.signUpPolicy ? input.signUpPolicy : null;
  if (!input.emailNormalized && !input.phone) throw new AppError("validation_failed", "An account needs an email address or a phone number.");
  const invitation = policy && input.emailNormalized ? await checkInvitationById(tx, policy.invitationId, input.emailNormalized, now) : null;
  if (policy) {
    if (input.emailNormalized) assertSignUpAllowed(input.emailNormalized, policy.settings, invitation);
    else assertPhoneSignUpAllowed(policy.settings);
  }
  if (input.emailNormalized && !input.emailVerified) {
    // (::text: the driver adapter cannot map pg_advisory_xact_lock's void result.)
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`email:${input.emailNormalized}`}))::text`;
    const rows = await tx.emailAddress.findMany({
      where: { emailNormalized: input.emailNormalized },
      select: { id: true, verified: true },
    });
    const held =
      rows.some((row) => row.verified) ||
      (rows.length > 0 && (await tx.user.count({ where: { primaryEmailAddressId: { in: rows.map((row) => row.id) } } })) > 0);
    if (held) throw new AppError("email_taken", EMAIL_TAKEN_MESSAGE, { fields: { email: [EMAIL_TAKEN_MESSAGE] } });
  }
  const role = input.emailNormalized && input.emailVerified && isAdminEmail(input.emailNormalized) ? "admin" : "user";
  const userId = input.userId ?? newId("user");
  const emailAddressId = input.emailNormalized ? newId("identification") : null;
  const phoneNumberId = input.phone ? newId("identification") : null;
  try {
    await tx.user.create({
      data: {
        id: userId,
        role,
        firstName: input.firstName || null,
        lastName: input.lastName || null,
        imageUrl: input.imageUrl ?? null,
        publicMetadata: (input.metadata?.publicMetadata ?? {}) as object,
        privateMetadata: (input.metadata?.privateMetadata ?? {}) as object,
        unsafeMetadata: (input.metadata?.unsafeMetadata ?? {}) as object,
        passwordHash: input.passwordHash ?? null,
        passwordCost: input.passwordCost ?? null,
        passwordChangedAt: input.passwordHash ? now : null,
        lastSignInAt: input.imported ? null : now,
        lastActiveAt: input.imported ? null : now,
        createdAt: input.imported?.createdAt ?? now,
        externalId: input.imported?.externalId ?? null,
        username: input.imported?.username ?? null,
      },
    });
    if (emailAddressId && input.emailNormalized) {
      await tx.emailAddress.create({
        data: {
          id: emailAddressId,
          userId,
          email: (input.email ?? input.emailNormalized).trim(),
          emailNormalized: input.emailNormalized,
          verified: input.emailVerified,
          verifiedAt: input.emailVerified ? now : null,
        },
      });
    }
    for (const other of input.imported?.otherEmails ?? []) {
      await tx.emailAddress.create({
        data: {
          id: newId("identification"),
          userId,
          email: other.email.trim(),
          emailNormalized: other.emailNormalized,
          verified: other.verified,
          verifiedAt: other.verified ? now : null,
        },
      });
    }
  } catch (error) {
    // Two sign-ups racing for one verified address: the unique index decides, the loser gets a clean 409.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("email_taken", EMAIL_TAKEN_MESSAGE, { fields: { email: [EMAIL_TAKEN_MESSAGE] } });
    }
    throw error;
  }
  if (phoneNumberId && input.phone) {
    try {
      // Proved by its SMS code: verified at once. The partial unique index allows one verified row per number.
      await tx.phoneNumber.create({ data: { id: phoneNumberId, userId, phone: input.phone, verified: true, verifiedAt: now } });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        throw new AppError("phone_taken", PHONE_TAKEN_MESSAGE, { fields: { phone: [PHONE_TAKEN_MESSAGE] } });
      }
      throw error;
    }
  }
  await tx.user.update({ where: { id: userId }, data: { primaryEmailAddressId: emailAddressId, primaryPhoneNumberId: phoneNumberId } });
  if (input.externalAccount) await linkExternalAccount(tx, userId, input.externalAccount, context);
  if (policy && invitation && "id" in invitation) {
    const accepted = await acceptInvitation(tx, { invitationId: invitation.id, userId, now }, context);
    // Another sign-up used it first: this one stands only if the policy lets it in without one.
    if (!accepted) assertSignUpAllowed(input.emailNormalized ?? "", policy.settings, null);
  }
  await recordAuditEvent(
    {
      type: "user.created",
      actorId: userId,
      targetId: userId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { method: input.method, role, emailVerified: input.emailVerified, ...(phoneNumberId ? { phone: true } : {}) },
    },
    tx,
  );
  await emitWebhookEvent(tx, "user.created", () => readUserResource(tx, userId), now);
  return { userId, emailAddressId, phoneNumberId, role };
}

/** Links an OAuth identity to a user in the caller's transaction, audited as `external_account.linked`. */
export async function linkExternalAccount(
  tx: Tx,
  userId: string,
  identity: ExternalIdentity,
  context: { ip: string | null; userAgent: string | null },
): Promise<string> {
  const id = newId("externalAccount");
  try {
    await tx.externalAccount.create({
      data: {
        id,
        userId,
        provider: identity.provider,
        providerUserId: identity.providerUserId,
        email: identity.email,
        emailVerified: identity.emailVerified,
        username: identity.username ?? null,
        imageUrl: identity.imageUrl ?? null,
      },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("conflict", "This account at the provider is already connected to another account here.");
    }
    throw error;
  }
  await recordAuditEvent(
    {
      type: "external_account.linked",
      actorId: userId,
      targetId: id,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { provider: identity.provider },
    },
    tx,
  );
  return id;
}
