import "server-only";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent, recordAuditEvents } from "@/lib/audit";
import { Prisma } from "@/lib/generated/prisma/client";
import { emitWebhookEvents } from "@/lib/webhooks/events";
import { readUserResources } from "./resource";
import { isAdminEmail } from "./email";
import { acceptInvitation, checkInvitationById } from "./invitations";
import { assertPhoneSignUpAllowed, assertSignUpAllowed, type AccessPolicySettings, type InvitationCheck } from "./sign-up-policy";

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
  /** The user's id in the team's own system (the backend API's `external_id`); an import's `imported.externalId` wins. */
  externalId?: string | null;
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

export type CreatedUser = { userId: string; emailAddressId: string | null; phoneNumberId: string | null; role: "user" | "admin" };

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
): Promise<CreatedUser> {
  const [created] = await createUsers(tx, [input], context);
  return created!;
}

/** One account checked and given its ids, not yet written. */
type PlannedUser = { input: NewUser; invitation: InvitationCheck; created: CreatedUser };

/**
 * `createUser` for several accounts at once, in the caller's transaction (an
 * import's batch, lib/import): the same checks and rows for each, but each
 * table written with ONE statement for the whole batch, so a batch costs a
 * few statements instead of a few per account (Prisma's per-statement cost
 * dominates a bulk import). Still one `user.created` audit event and one
 * `user.created` webhook event per account. Any refusal fails the whole call
 * (and so the caller's transaction or savepoint): a caller that wants the
 * others kept writes again without the refused one (lib/import does).
 */
export async function createUsers(
  tx: Tx,
  inputs: NewUser[],
  context: { ip: string | null; userAgent: string | null; now?: Date },
): Promise<CreatedUser[]> {
  if (inputs.length === 0) return [];
  const now = context.now ?? new Date();
  const planned: PlannedUser[] = [];
  // Two accounts of one batch with one address: the rows below would not see each other before the insert.
  const batchAddresses = new Set<string>();
  for (const input of inputs) {
    const addresses = [input.emailNormalized, ...(input.imported?.otherEmails ?? []).map((other) => other.emailNormalized)].filter((address): address is string => !!address);
    if (addresses.some((address) => batchAddresses.has(address))) throw new AppError("email_taken", EMAIL_TAKEN_MESSAGE, { fields: { email: [EMAIL_TAKEN_MESSAGE] } });
    for (const address of addresses) batchAddresses.add(address);
    planned.push(await planUser(tx, input, now));
  }

  // The primary ids go in with the user (no foreign key on them): the address rows need the user first.
  const addressRows = planned.flatMap(({ input, created }) => {
    if (!created.emailAddressId || !input.emailNormalized) return [];
    const primary = { id: created.emailAddressId, userId: created.userId, email: (input.email ?? input.emailNormalized).trim(), emailNormalized: input.emailNormalized, verified: input.emailVerified, createdAt: now };
    // createdAt one millisecond apart: the user resource lists addresses by it, primary first as given.
    const others = (input.imported?.otherEmails ?? []).map((other, index) => ({
      id: newId("identification"),
      userId: created.userId,
      email: other.email.trim(),
      emailNormalized: other.emailNormalized,
      verified: other.verified,
      createdAt: new Date(now.getTime() + index + 1),
    }));
    return [primary, ...others].map((row) => ({ ...row, verifiedAt: row.verified ? now : null }));
  });
  try {
    await tx.user.createMany({ data: planned.map(({ input, created }) => userRow(input, created, now)) });
    if (addressRows.length > 0) await tx.emailAddress.createMany({ data: addressRows });
  } catch (error) {
    // Two sign-ups racing for one verified address: the unique index decides, the loser gets a clean 409.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AppError("email_taken", EMAIL_TAKEN_MESSAGE, { fields: { email: [EMAIL_TAKEN_MESSAGE] } });
    }
    throw error;
  }
  const phoneRows = planned.flatMap(({ input, created }) =>
    // Proved by its SMS code: verified at once. The partial unique index allows one verified row per number.
    created.phoneNumberId && input.phone ? [{ id: created.phoneNumberId, userId: created.userId, phone: input.phone, verified: true, verifiedAt: now }] : [],
  );
  if (phoneRows.length > 0) {
    try {
      await tx.phoneNumber.createMany({ data: phoneRows });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        throw new AppError("phone_taken", PHONE_TAKEN_MESSAGE, { fields: { phone: [PHONE_TAKEN_MESSAGE] } });
      }
      throw error;
    }
  }
  for (const { input, invitation, created } of planned) {
    if (input.externalAccount) await linkExternalAccount(tx, created.userId, input.externalAccount, context);
    const policy = "settings" in input.signUpPolicy ? input.signUpPolicy : null;
    if (policy && invitation && "id" in invitation) {
      const accepted = await acceptInvitation(tx, { invitationId: invitation.id, userId: created.userId, now }, context);
      // Another sign-up used it first: this one stands only if the policy lets it in without one.
      if (!accepted) assertSignUpAllowed(input.emailNormalized ?? "", policy.settings, null);
    }
  }
  await recordAuditEvents(
    planned.map(({ input, created }) => ({
      type: "user.created",
      actorId: created.userId,
      targetId: created.userId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { method: input.method, role: created.role, emailVerified: input.emailVerified, ...(created.phoneNumberId ? { phone: true } : {}) },
    })),
    tx,
  );
  const userIds = planned.map(({ created }) => created.userId);
  await emitWebhookEvents(tx, "user.created", () => readUserResources(tx, userIds), now);
  return planned.map(({ created }) => created);
}

/** The sign-up policy, the invitation and an unverified address's claim checked for one account; its ids and role. */
async function planUser(tx: Tx, input: NewUser, now: Date): Promise<PlannedUser> {
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
  return {
    input,
    invitation,
    created: {
      userId: input.userId ?? newId("user"),
      emailAddressId: input.emailNormalized ? newId("identification") : null,
      phoneNumberId: input.phone ? newId("identification") : null,
      role,
    },
  };
}

function userRow(input: NewUser, created: CreatedUser, now: Date): Prisma.UserCreateManyInput {
  return {
    id: created.userId,
    role: created.role,
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
    externalId: input.imported?.externalId ?? input.externalId ?? null,
    username: input.imported?.username ?? null,
    primaryEmailAddressId: created.emailAddressId,
    primaryPhoneNumberId: created.phoneNumberId,
  };
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
