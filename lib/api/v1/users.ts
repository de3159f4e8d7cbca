import "server-only";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { AppError, type FieldErrors } from "@/lib/errors";
import {
  adminDeleteUser,
  banUser,
  searchUsers,
  unbanUser,
  updateUserMetadataAsAdmin,
  METADATA_VERSION_SQL,
  type AdminActor,
  type UserSearchInput,
} from "@/lib/admin";
import { assertPasswordPolicy, hashPassword, importPasswordDigest, type PasswordHasher } from "@/lib/password";
import { getInstanceSettings } from "@/lib/settings";
import { createAccountWithoutSignUp } from "@/lib/sign-in";
import { normalizePhoneNumber } from "@/lib/sms";
import {
  externalIdTaken,
  metadataObjectSchema,
  normalizeEmail,
  readUserResource,
  toUserResource,
  updateProfile,
  USER_RESOURCE_SELECT,
  type JsonObject,
  type ProfileChanges,
  type UserResource,
} from "@/lib/users";

/**
 * Users through the backend API (S9). Each function is one operation: the
 * change through the same domain function the admin console and the account
 * pages use (so audit events and webhooks are the same), then the user as
 * other apps see it (`toUserResource`). The API key is the actor.
 */
export type ApiUserActor = AdminActor;

const NO_SUCH_USER = () => new AppError("not_found", "No such user.");

async function resourceOrNotFound(userId: string): Promise<UserResource> {
  const user = await readUserResource(db, userId);
  if (!user) throw NO_SUCH_USER();
  return user;
}

export const getUserResource = resourceOrNotFound;

/** One page of users (the admin list's search, filters and keyset pagination) as resources. */
export async function listUserResources(input: UserSearchInput): Promise<{ data: UserResource[]; next_cursor: string | null }> {
  const page = await searchUsers(input);
  const ids = page.users.map((user) => user.id);
  const rows = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: USER_RESOURCE_SELECT }) : [];
  const byId = new Map(rows.map((row) => [row.id, row]));
  const now = new Date();
  // In the page's order; a user deleted between the two reads is left out.
  const data = ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toUserResource(row, now)] : [];
  });
  return { data, next_cursor: page.nextCursor };
}

type MetadataInput = { publicMetadata?: unknown; privateMetadata?: unknown; unsafeMetadata?: unknown };
type MetadataKind = keyof MetadataInput;
const METADATA_KINDS: readonly MetadataKind[] = ["publicMetadata", "privateMetadata", "unsafeMetadata"];

/** Each given metadata object checked (a JSON object of at most 8 KB), or 400 naming the ones that are not. */
function checkedMetadata(input: MetadataInput): Partial<Record<MetadataKind, JsonObject>> {
  const checked: Partial<Record<MetadataKind, JsonObject>> = {};
  const fields: FieldErrors = {};
  for (const kind of METADATA_KINDS) {
    if (input[kind] === undefined) continue;
    const parsed = metadataObjectSchema.safeParse(input[kind]);
    if (parsed.success) checked[kind] = parsed.data;
    else fields[kind] = [parsed.error.issues[0]?.message ?? "Metadata must be a JSON object."];
  }
  if (Object.keys(fields).length > 0) throw new AppError("validation_failed", Object.values(fields)[0]![0]!, { fields });
  return checked;
}

/**
 * Makes a user (lib/sign-in `createAccountWithoutSignUp`: the one `createUser`
 * every sign-up uses, without an attempt or a session): the address
 * is created verified (the backend vouches for it), the password checked
 * against the instance's policy and hashed, metadata set in the same
 * transaction (so `user.created` carries it). Not a sign-up: the sign-up
 * mode and allow/block lists do not apply to what the backend creates.
 */
export async function createUserFromApi(
  input: {
    emailAddress: string;
    /** Any format libphonenumber reads with a country code; stored E.164, verified, primary. */
    phoneNumber?: string;
    externalId?: string;
    password?: string;
    /** A hash from another system (lib/password importPasswordDigest): stored with a null cost, rehashed at the first sign-in. */
    passwordDigest?: string;
    passwordHasher?: PasswordHasher;
    firstName?: string | null;
    lastName?: string | null;
  } & MetadataInput,
  actor: ApiUserActor,
): Promise<UserResource> {
  const emailNormalized = normalizeEmail(input.emailAddress);
  const phone = input.phoneNumber === undefined ? null : normalizePhoneNumber(input.phoneNumber);
  const metadata = checkedMetadata(input);
  let password: { hash: string; cost: number | null } | null = null;
  if (input.passwordDigest !== undefined || input.passwordHasher !== undefined) {
    const fields: FieldErrors = {};
    if (input.password !== undefined) fields.password = ["Give either password or password_digest, not both."];
    if (input.passwordDigest === undefined) fields.password_digest = ["password_hasher needs a password_digest."];
    if (input.passwordHasher === undefined) fields.password_hasher = ["password_digest needs a password_hasher."];
    if (Object.keys(fields).length > 0) throw new AppError("validation_failed", Object.values(fields)[0]![0]!, { fields });
    password = { hash: importPasswordDigest(input.passwordHasher!, input.passwordDigest!), cost: null };
  } else if (input.password !== undefined) {
    const settings = await getInstanceSettings();
    await assertPasswordPolicy(input.password, {
      userInputs: [emailNormalized, emailNormalized.split("@")[0] ?? "", input.firstName ?? "", input.lastName ?? ""].filter(Boolean),
      minScore: settings.passwordMinScore,
      minLength: settings.passwordMinLength,
    });
    password = await hashPassword(input.password);
  }
  return db.$transaction(async (tx) => {
    if (input.externalId !== undefined && (await tx.user.findUnique({ where: { externalId: input.externalId }, select: { id: true } }))) {
      throw externalIdTaken();
    }
    const created = await createAccountWithoutSignUp(
      tx,
      {
        email: input.emailAddress,
        emailNormalized,
        emailVerified: true,
        phone,
        externalId: input.externalId ?? null,
        passwordHash: password?.hash ?? null,
        passwordCost: password?.cost ?? null,
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        metadata,
        method: "backend_api",
      },
      { ip: actor.ip, userAgent: actor.userAgent, now: actor.now },
    );
    return (await readUserResource(tx, created.userId))!;
  }).catch((error: unknown) => {
    // Two creates racing for one external_id: the unique index decides.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002" && String(error.meta?.target ?? "").includes("externalId")) {
      throw externalIdTaken();
    }
    throw error;
  });
}

/** First name, last name, username, external id (lib/users `updateProfile`): fields left out stay; a username or external id in use is 409. */
export async function updateUserFromApi(userId: string, changes: ProfileChanges, actor: ApiUserActor): Promise<UserResource> {
  await updateProfile(userId, changes, actor);
  return resourceOrNotFound(userId);
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Clerk's metadata merge: objects merge key by key, all the way down; any
 * other value (arrays included) replaces; a key set to null is removed.
 */
export function deepMergeMetadata(current: JsonObject, patch: JsonObject): JsonObject {
  const merged: JsonObject = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (isPlainObject(value) && isPlainObject(merged[key])) merged[key] = deepMergeMetadata(merged[key] as JsonObject, value);
    else merged[key] = value;
  }
  return merged;
}

/** A concurrent write between our read and our write: read again and merge again, a few times. */
const MERGE_ATTEMPTS = 4;

/**
 * Deep-merges into the user's metadata (PATCH /users/{id}/metadata). The
 * write goes through the admin console's `updateUserMetadataAsAdmin` with the
 * version it was merged from, so a concurrent change is never overwritten:
 * the merge is redone on top of it.
 */
export async function mergeUserMetadata(userId: string, patch: Partial<Record<MetadataKind, JsonObject>>, actor: ApiUserActor): Promise<UserResource> {
  const kinds = METADATA_KINDS.filter((kind) => patch[kind] !== undefined);
  if (kinds.length === 0) return resourceOrNotFound(userId);
  for (let attempt = 1; ; attempt++) {
    const [current] = await db.$queryRaw<{ version: string; publicMetadata: string; privateMetadata: string; unsafeMetadata: string }[]>`
      SELECT ${METADATA_VERSION_SQL} AS version, "publicMetadata"::text AS "publicMetadata",
             "privateMetadata"::text AS "privateMetadata", "unsafeMetadata"::text AS "unsafeMetadata"
      FROM "User" WHERE id = ${userId}`;
    if (!current) throw NO_SUCH_USER();
    const merged: MetadataInput = {};
    for (const kind of kinds) merged[kind] = deepMergeMetadata(JSON.parse(current[kind]) as JsonObject, patch[kind]!);
    try {
      await updateUserMetadataAsAdmin({ userId, ...merged, expectedVersion: current.version }, actor);
      return resourceOrNotFound(userId);
    } catch (error) {
      if (!(error instanceof AppError && error.code === "conflict") || attempt >= MERGE_ATTEMPTS) throw error;
    }
  }
}

/** Bans the user (lib/admin `banUser`): every session ends now. Admins cannot be banned (403). */
export async function banUserFromApi(userId: string, actor: ApiUserActor): Promise<UserResource> {
  await banUser({ userId }, actor);
  return resourceOrNotFound(userId);
}

export async function unbanUserFromApi(userId: string, actor: ApiUserActor): Promise<UserResource> {
  await unbanUser({ userId }, actor);
  return resourceOrNotFound(userId);
}

/**
 * Deletes the user and their personal data exactly as the admin console does
 * (lib/admin `adminDeleteUser`: the same erasure, audit and webhook; never the
 * last admin). The request itself is the confirmation, so it passes the id.
 */
export async function deleteUserFromApi(userId: string, actor: ApiUserActor): Promise<{ object: "user"; id: string; deleted: true }> {
  await adminDeleteUser({ userId, confirmation: userId }, actor);
  return { object: "user", id: userId, deleted: true };
}
