import "server-only";
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { getConfig } from "@/lib/config";
import { db, type Tx } from "@/lib/db";
import { AppError, isAppError, type FieldErrors } from "@/lib/errors";
import { recordAuditEvents } from "@/lib/audit";
import { newId } from "@/lib/ids";
import { safeText, emailField } from "@/lib/http/schemas";
import { importPasswordDigest, PASSWORD_HASHERS } from "@/lib/password";
import { Prisma } from "@/lib/generated/prisma/client";
import { emitWebhookEvents } from "@/lib/webhooks/events";
import { readUserResources } from "@/lib/users/resource";
// Accounts come to exist only through the attempt module's one createUser (S2), as the backend API's do.
import { createAccountsWithoutSignUp } from "@/lib/sign-in/attempts";
import { EMAIL_TAKEN_MESSAGE } from "@/lib/users/create-user";
import { normalizeEmail } from "@/lib/users/email";
import { MAX_EMAIL_ADDRESSES } from "@/lib/users/email-addresses";
import { metadataObjectSchema, type JsonObject } from "@/lib/users/metadata";
import { profileNameField, usernameField } from "@/lib/users/profile";
import { USERNAME_TAKEN_MESSAGE } from "@/lib/users/username";
import { readImportFile, type ImportFailure, type ImportFormat, type ImportRecord } from "./formats";

export { IMPORT_FORMATS, readImportFile, type ImportFailure, type ImportFormat, type ImportRecord } from "./formats";

/**
 * Importing users from another provider (issue 19; docs/importing.md). Each
 * record is one user in the portal's import shape (`importRowSchema`; the
 * Clerk and Auth0 adapters in ./formats.ts produce it). A user is
 * found by its id at the old provider (`external_id`, stored as
 * `User.externalId`), so running an import again updates, never duplicates:
 *
 * - new: made by the one `createUser` (audit `user.created`, webhook
 *   `user.created`), with its other addresses, username and creation time;
 * - known: names, username and metadata given in the record replace ours,
 *   new addresses are added, an address the record says is verified becomes
 *   verified (never the other way), and the password digest replaces ours
 *   only while the user still has no password of their own here (a
 *   `passwordCost` of null: never rehashed by a sign-in, never changed), so
 *   re-running an old export never undoes a password changed since;
 * - a record that changes nothing is counted as unchanged and writes nothing.
 *
 * Records are written in batches, one transaction each, the new users of a
 * batch by createUser's batch form (a few statements for the whole batch:
 * Prisma's cost per statement, not hashing or the rows, was where an
 * import's time went). A record the database refuses is found by halving
 * its batch under savepoints: it alone is reported (row, external id,
 * reason) and the rest go on. A dry run does every write and rolls it back,
 * so it reports exactly what a real run would.
 */

const emailEntrySchema = z.object({
  email_address: emailField,
  verified: z.boolean({ error: "verified must be true or false." }).optional(),
});

const createdAtSchema = z
  .union([z.number().int().nonnegative(), safeText({ max: 64, label: "created_at" })])
  .transform((value, context) => {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      context.addIssue({ code: "custom", message: "created_at must be an ISO 8601 date or milliseconds since 1970." });
      return z.NEVER;
    }
    return date;
  });

/** One user in the portal's import shape (docs/importing.md). `id` is accepted for `external_id`. */
export const importRowSchema = z.preprocess(
  (value) => (value && typeof value === "object" && !Array.isArray(value) && !("external_id" in value) && "id" in value ? { ...value, external_id: (value as { id: unknown }).id } : value),
  z.object(
    {
      external_id: safeText({ max: 255, min: 1, label: "external_id" }).pipe(z.string().trim().min(1, "external_id is required.")),
      email_addresses: z
        .array(emailEntrySchema, { error: "email_addresses must be a list of { email_address, verified }." })
        .min(1, "A user needs at least one email address.")
        .max(MAX_EMAIL_ADDRESSES, `At most ${MAX_EMAIL_ADDRESSES} email addresses per user.`),
      primary_email_address: emailField.optional(),
      first_name: profileNameField("first_name").nullish(),
      last_name: profileNameField("last_name").nullish(),
      username: usernameField.nullish(),
      public_metadata: metadataObjectSchema.optional(),
      private_metadata: metadataObjectSchema.optional(),
      unsafe_metadata: metadataObjectSchema.optional(),
      password_digest: safeText({ max: 1024, min: 1, label: "password_digest" }).optional(),
      password_hasher: z.enum(PASSWORD_HASHERS, { error: `password_hasher must be one of: ${PASSWORD_HASHERS.join(", ")}.` }).optional(),
      created_at: createdAtSchema.optional(),
    },
    { error: "A record must be a JSON object." },
  ),
);

type ImportEmail = { email: string; emailNormalized: string; verified: boolean };

/** A record checked and normalized: what the database is compared with and written from. */
type ImportUser = {
  externalId: string;
  /** Primary first. */
  emails: ImportEmail[];
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  metadata: { publicMetadata?: JsonObject; privateMetadata?: JsonObject; unsafeMetadata?: JsonObject };
  /** The digest as User.passwordHash stores it (lib/password importPasswordDigest). */
  passwordHash?: string;
  createdAt?: Date;
};

function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join(".") : "record";
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

/** Checks one record; throws a 400 AppError naming each bad field. */
export function parseImportRow(data: unknown): ImportUser {
  const parsed = importRowSchema.safeParse(data);
  if (!parsed.success) {
    const fields = fieldErrorsOf(parsed.error);
    const [field, messages] = Object.entries(fields)[0]!;
    throw new AppError("validation_failed", `${field}: ${messages[0]}`, { fields });
  }
  const row = parsed.data;
  if (Boolean(row.password_digest) !== Boolean(row.password_hasher)) {
    const message = "password_digest and password_hasher go together: give both or neither.";
    throw new AppError("validation_failed", message, { fields: { [row.password_digest ? "password_hasher" : "password_digest"]: [message] } });
  }
  // The same address twice in one record counts once, verified if either says so.
  const byAddress = new Map<string, ImportEmail>();
  for (const entry of row.email_addresses) {
    const emailNormalized = normalizeEmail(entry.email_address);
    const seen = byAddress.get(emailNormalized);
    if (seen) seen.verified ||= entry.verified === true;
    else byAddress.set(emailNormalized, { email: entry.email_address, emailNormalized, verified: entry.verified === true });
  }
  const emails = [...byAddress.values()];
  let primaryIndex = emails.findIndex((email) => email.verified);
  if (row.primary_email_address) {
    primaryIndex = emails.findIndex((email) => email.emailNormalized === normalizeEmail(row.primary_email_address!));
    if (primaryIndex < 0) {
      const message = "primary_email_address must be one of email_addresses.";
      throw new AppError("validation_failed", message, { fields: { primary_email_address: [message] } });
    }
  }
  if (primaryIndex > 0) emails.unshift(...emails.splice(primaryIndex, 1));
  return {
    externalId: row.external_id,
    emails,
    firstName: row.first_name,
    lastName: row.last_name,
    username: row.username,
    metadata: { publicMetadata: row.public_metadata, privateMetadata: row.private_metadata, unsafeMetadata: row.unsafe_metadata },
    passwordHash: row.password_digest && row.password_hasher ? importPasswordDigest(row.password_hasher, row.password_digest) : undefined,
    createdAt: row.created_at,
  };
}

const EXISTING_SELECT = {
  id: true,
  externalId: true,
  firstName: true,
  lastName: true,
  username: true,
  publicMetadata: true,
  privateMetadata: true,
  unsafeMetadata: true,
  passwordHash: true,
  passwordCost: true,
  emailAddresses: { select: { id: true, emailNormalized: true, verified: true } },
} as const;

type ExistingUser = Prisma.UserGetPayload<{ select: typeof EXISTING_SELECT }>;

type Change = {
  data: Prisma.UserUpdateInput;
  fields: string[];
  addEmails: ImportEmail[];
  verifyEmailIds: string[];
};

/** What a record changes on a user it already made; empty when nothing. */
function changesFor(existing: ExistingUser, user: ImportUser): Change {
  const data: Prisma.UserUpdateInput = {};
  const fields: string[] = [];
  if (user.firstName !== undefined && user.firstName !== existing.firstName) (data.firstName = user.firstName), fields.push("firstName");
  if (user.lastName !== undefined && user.lastName !== existing.lastName) (data.lastName = user.lastName), fields.push("lastName");
  if (user.username !== undefined && user.username !== existing.username) (data.username = user.username), fields.push("username");
  for (const kind of ["publicMetadata", "privateMetadata", "unsafeMetadata"] as const) {
    const value = user.metadata[kind];
    if (value !== undefined && !isDeepStrictEqual(value, existing[kind])) (data[kind] = value as object), fields.push(kind);
  }
  // Only while the password is still the imported one (or none): never over a password set or rehashed here.
  if (user.passwordHash && existing.passwordCost === null && user.passwordHash !== existing.passwordHash) {
    data.passwordHash = user.passwordHash;
    data.passwordChangedAt = new Date();
    fields.push("password");
  }
  const addEmails: ImportEmail[] = [];
  const verifyEmailIds: string[] = [];
  for (const email of user.emails) {
    const held = existing.emailAddresses.find((address) => address.emailNormalized === email.emailNormalized);
    if (!held) addEmails.push(email);
    else if (email.verified && !held.verified) verifyEmailIds.push(held.id);
  }
  if (addEmails.length > 0 || verifyEmailIds.length > 0) fields.push("emailAddresses");
  return { data, fields, addEmails, verifyEmailIds };
}

async function assertUsernameFree(tx: Tx, username: string | null | undefined, userId: string | null): Promise<void> {
  if (!username) return;
  const holder = await tx.user.findFirst({ where: { username, ...(userId ? { NOT: { id: userId } } : {}) }, select: { id: true } });
  if (holder) throw new AppError("conflict", USERNAME_TAKEN_MESSAGE, { fields: { username: [USERNAME_TAKEN_MESSAGE] } });
}

type ImportContext = { ip: string | null; userAgent: string | null };

/** New users through the one `createUser`, all of them with one statement per table (its batch form). */
async function createImportedUsers(tx: Tx, users: ImportUser[], context: ImportContext): Promise<void> {
  const usernames = users.flatMap((user) => (user.username ? [user.username] : []));
  // One look for the batch; two rows of one batch with one username are left to the unique index.
  if (usernames.length > 0 && (await tx.user.findFirst({ where: { username: { in: usernames } }, select: { id: true } }))) {
    throw new AppError("conflict", USERNAME_TAKEN_MESSAGE, { fields: { username: [USERNAME_TAKEN_MESSAGE] } });
  }
  await createAccountsWithoutSignUp(
    tx,
    users.map((user) => {
      const [primary, ...otherEmails] = user.emails;
      return {
        email: primary!.email,
        emailNormalized: primary!.emailNormalized,
        emailVerified: primary!.verified,
        // Null cost: the first successful sign-in rehashes it to our bcrypt.
        passwordHash: user.passwordHash ?? null,
        passwordCost: null,
        firstName: user.firstName ?? null,
        lastName: user.lastName ?? null,
        metadata: user.metadata,
        method: "import",
        imported: { externalId: user.externalId, username: user.username ?? null, createdAt: user.createdAt ?? null, otherEmails },
      };
    }),
    context,
  );
}

/** Known users changed: a statement per changed user, the rest (addresses, audit, webhooks) one per batch. */
async function updateImportedUsers(tx: Tx, updates: { existing: ExistingUser; change: Change }[], context: ImportContext): Promise<void> {
  const now = new Date();
  for (const { existing, change } of updates) {
    if (change.data.username !== undefined) await assertUsernameFree(tx, change.data.username as string | null, existing.id);
    if (Object.keys(change.data).length > 0) await tx.user.update({ where: { id: existing.id }, data: change.data, select: { id: true } });
  }
  const addresses = updates.flatMap(({ existing, change }) =>
    change.addEmails.map((email) => ({ id: newId("identification"), userId: existing.id, email: email.email, emailNormalized: email.emailNormalized, verified: email.verified, verifiedAt: email.verified ? now : null })),
  );
  if (addresses.length > 0) await tx.emailAddress.createMany({ data: addresses });
  const verifyEmailIds = updates.flatMap(({ change }) => change.verifyEmailIds);
  if (verifyEmailIds.length > 0) await tx.emailAddress.updateMany({ where: { id: { in: verifyEmailIds } }, data: { verified: true, verifiedAt: now } });
  await recordAuditEvents(
    updates.map(({ existing, change }) => ({ type: "user.updated", targetId: existing.id, ip: context.ip, userAgent: context.userAgent, data: { via: "import", fields: change.fields } })),
    tx,
  );
  // One `user.updated` per user, as it is now in the transaction.
  const userIds = updates.map(({ existing }) => existing.id);
  await emitWebhookEvents(tx, "user.updated", () => readUserResources(tx, userIds), now);
}

type Write = { row: number; externalId: string } & ({ kind: "created"; user: ImportUser } | { kind: "updated"; existing: ExistingUser; change: Change });
type WriteOutcome = { kind: "created" | "updated" } | ImportFailure;

/** Every write of a batch: the new users together, then each update. */
async function writeAll(tx: Tx, writes: Write[], context: ImportContext): Promise<void> {
  const created = writes.flatMap((item) => (item.kind === "created" ? [item.user] : []));
  if (created.length > 0) await createImportedUsers(tx, created, context);
  const updated = writes.flatMap((item) => (item.kind === "updated" ? [item] : []));
  if (updated.length > 0) await updateImportedUsers(tx, updated, context);
}

class DryRunRollback extends Error {}

/**
 * Writes a batch in ONE transaction, its new users with a few statements in
 * all (lib/users createUsers): Prisma's cost per statement, not the rows,
 * is what an import spends its time on. If the batch is refused, it is
 * rolled back to its savepoint and each half written again the same way,
 * down to the one record that fails: that one is reported, the rest kept
 * (a bad row costs about 2·log2(batch) extra tries). Outcomes count only
 * once the transaction committed; a dry run rolls it all back at the end.
 */
async function writeBatch(writes: Write[], dryRun: boolean, context: ImportContext): Promise<WriteOutcome[]> {
  let outcomes: WriteOutcome[] = [];
  try {
    await db.$transaction(
      async (tx) => {
        outcomes = [];
        await writeHalving(tx, writes, context, outcomes);
        if (dryRun) throw new DryRunRollback();
      },
      { maxWait: 60_000, timeout: 10 * 60_000 },
    );
  } catch (error) {
    if (!(error instanceof DryRunRollback)) {
      const reason = failureOf(error);
      return writes.map((item) => ({ row: item.row, externalId: item.externalId, ...reason }));
    }
  }
  return outcomes;
}

async function writeHalving(tx: Tx, writes: Write[], context: ImportContext, outcomes: WriteOutcome[]): Promise<void> {
  await tx.$executeRawUnsafe("SAVEPOINT import_records");
  try {
    await writeAll(tx, writes, context);
    await tx.$executeRawUnsafe("RELEASE SAVEPOINT import_records");
    for (const item of writes) outcomes.push({ kind: item.kind });
  } catch (error) {
    await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT import_records");
    await tx.$executeRawUnsafe("RELEASE SAVEPOINT import_records");
    if (writes.length === 1) {
      outcomes.push({ row: writes[0]!.row, externalId: writes[0]!.externalId, ...failureOf(error) });
      return;
    }
    const middle = Math.ceil(writes.length / 2);
    await writeHalving(tx, writes.slice(0, middle), context, outcomes);
    await writeHalving(tx, writes.slice(middle), context, outcomes);
  }
}

/** A database refusal as a row's reason: a unique address or username taken, in words. */
function failureOf(error: unknown): { message: string; fields?: FieldErrors } {
  if (isAppError(error)) return { message: error.message, fields: error.fields };
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    return { message: EMAIL_TAKEN_MESSAGE, fields: { email_addresses: [EMAIL_TAKEN_MESSAGE] } };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

export type ImportProgress = { done: number; total: number; created: number; updated: number; unchanged: number; failed: number };

export type ImportSummary = {
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  /** In row order. */
  failed: ImportFailure[];
  dryRun: boolean;
};

export type ImportOptions = {
  dryRun?: boolean;
  /** Called after every CHUNK_SIZE (500) records. */
  onProgress?: (progress: ImportProgress) => void;
  context?: ImportContext;
  /** Transactions writing at once, each a share of CHUNK_SIZE records (default 4: about 125 records each). */
  concurrency?: number;
};

const CHUNK_SIZE = 500;

/** Imports records (see the module comment); never stops at a bad one. */
export async function importUsers(records: ImportRecord[], options: ImportOptions = {}): Promise<ImportSummary> {
  const dryRun = options.dryRun ?? false;
  const context = options.context ?? { ip: null, userAgent: null };
  // One transaction per pooled connection at most (the embedded database has one).
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, getConfig().DATABASE_POOL_MAX));
  const summary: ImportSummary = { total: records.length, created: 0, updated: 0, unchanged: 0, failed: [], dryRun };
  // Within one file an id or an address belongs to its first record: later ones are reported, not raced.
  const rowOfExternalId = new Map<string, number>();
  const rowOfEmail = new Map<string, number>();
  let done = 0;

  for (let start = 0; start < records.length; start += CHUNK_SIZE) {
    const chunk: { row: number; user: ImportUser }[] = [];
    for (const record of records.slice(start, start + CHUNK_SIZE)) {
      const externalId = externalIdOf(record.data);
      try {
        const user = parseImportRow(record.data);
        const firstRow = rowOfExternalId.get(user.externalId);
        if (firstRow !== undefined) throw new AppError("validation_failed", `external_id ${user.externalId} is already in row ${firstRow} of this file.`, { fields: { external_id: ["Duplicate in this file."] } });
        const sharedEmail = user.emails.find((email) => rowOfEmail.has(email.emailNormalized));
        if (sharedEmail) {
          const message = `${sharedEmail.email} is already in row ${rowOfEmail.get(sharedEmail.emailNormalized)} of this file.`;
          throw new AppError("validation_failed", message, { fields: { email_addresses: [message] } });
        }
        rowOfExternalId.set(user.externalId, record.row);
        for (const email of user.emails) rowOfEmail.set(email.emailNormalized, record.row);
        chunk.push({ row: record.row, user });
      } catch (error) {
        summary.failed.push({ row: record.row, externalId, ...failureOf(error) });
      }
    }

    const existing = await db.user.findMany({ where: { externalId: { in: chunk.map(({ user }) => user.externalId) } }, select: EXISTING_SELECT });
    const byExternalId = new Map(existing.map((user) => [user.externalId!, user]));
    const writes: Write[] = [];
    for (const { row, user } of chunk) {
      const known = byExternalId.get(user.externalId);
      if (!known) {
        writes.push({ row, externalId: user.externalId, kind: "created", user });
        continue;
      }
      const change = changesFor(known, user);
      if (change.fields.length === 0) summary.unchanged++;
      else writes.push({ row, externalId: user.externalId, kind: "updated", existing: known, change });
    }
    const batchSize = Math.ceil(writes.length / concurrency);
    const batches = Array.from({ length: concurrency }, (_, index) => writes.slice(index * batchSize, (index + 1) * batchSize)).filter((batch) => batch.length > 0);
    for (const outcomes of await Promise.all(batches.map((batch) => writeBatch(batch, dryRun, context)))) {
      for (const outcome of outcomes) {
        if ("row" in outcome) summary.failed.push(outcome);
        else summary[outcome.kind]++;
      }
    }

    done += Math.min(CHUNK_SIZE, records.length - start);
    options.onProgress?.({ done, total: records.length, created: summary.created, updated: summary.updated, unchanged: summary.unchanged, failed: summary.failed.length });
  }
  summary.failed.sort((a, b) => a.row - b.row);
  return summary;
}

function externalIdOf(data: unknown): string | null {
  if (!data || typeof data !== "object") return null;
  const value = (data as { external_id?: unknown; id?: unknown }).external_id ?? (data as { id?: unknown }).id;
  return typeof value === "string" && value.trim() ? value.trim() : null;
}

/**
 * Reads an export file (portal, Clerk or Auth0: lib/import/formats.ts)
 * and imports it; rows that could not even be read are reported with the rest.
 */
export async function importUsersFromFile(content: string, format: ImportFormat, options: ImportOptions = {}): Promise<ImportSummary> {
  const { records, failed } = readImportFile(content, format);
  const summary = await importUsers(records, options);
  summary.total += failed.length;
  summary.failed = [...failed, ...summary.failed].sort((a, b) => a.row - b.row);
  return summary;
}
