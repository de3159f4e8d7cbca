import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { describeUserAgent } from "@/lib/session";

/**
 * The admin user list (S8): server-side search, filters, sort and keyset
 * pagination that stay on indexes at 100k users (indexes in
 * prisma/migrations/20261204000000_admin_search). Never OFFSET: a page is
 * "the next `limit` rows after the cursor's (sort key, id)", one index range
 * read however deep the page is.
 */
export type UserSort = "created_desc" | "created_asc" | "last_sign_in_desc";

export type UserSearchInput = {
  /** Prefix of an email address, first name, last name, "first last", username (case-insensitive), or of an id (`user_...`). */
  query?: string;
  banned?: boolean;
  /** Locked now: `lockedUntil` in the future. */
  locked?: boolean;
  mfa?: boolean;
  /** Created at or after this instant. */
  createdFrom?: Date;
  /** Created before this instant (exclusive: pass the next day's midnight for "up to and including a day"). */
  createdTo?: Date;
  sort?: UserSort;
  cursor?: string | null;
  /** Default 25, at most 100. */
  limit?: number;
};

export type AdminUserRow = {
  id: string;
  /** The primary address. */
  email: string | null;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  imageUrl: string | null;
  role: "user" | "admin";
  banned: boolean;
  lockedUntil: Date | null;
  mfaEnabled: boolean;
  createdAt: Date;
  lastSignInAt: Date | null;
};

export const USER_SEARCH_DEFAULT_LIMIT = 25;
export const USER_SEARCH_MAX_LIMIT = 100;
export const USER_SEARCH_MAX_QUERY_LENGTH = 200;

/**
 * A search matching more users than this walks the sort order and tests each
 * row (the first page is found within a few thousand rows); fewer matches are
 * collected from the prefix indexes and sorted. Each way alone is slow in the
 * other case: sorting 100k matches of "b", or walking 100k rows for 3 matches.
 */
const DENSE_MATCHES = 1000;

// --- cursor ------------------------------------------------------------------------

const cursorSchema = z.tuple([
  z.enum(["created_desc", "created_asc", "last_sign_in_desc"]),
  z.iso.datetime().nullable(),
  z.string().min(1).max(64),
]);

type Cursor = { sort: UserSort; key: Date | null; id: string };

/** Opaque to clients: base64url of [sort, sort key (ISO, or null for "never signed in"), id]. */
function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key?.toISOString() ?? null, cursor.id])).toString("base64url");
}

function decodeCursor(value: string, sort: UserSort): Cursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    decoded = null;
  }
  const parsed = cursorSchema.safeParse(decoded);
  // A cursor of another sort order would skip or repeat rows: start again instead.
  if (!parsed.success || parsed.data[0] !== sort || (sort !== "last_sign_in_desc" && parsed.data[1] === null)) {
    throw new AppError("validation_failed", "This page link is no longer valid. Start from the first page.", {
      fields: { cursor: ["Invalid cursor."] },
    });
  }
  return { sort, key: parsed.data[1] === null ? null : new Date(parsed.data[1]), id: parsed.data[2] };
}

// --- SQL ---------------------------------------------------------------------------

/**
 * A timestamp parameter as the `timestamp(3)` columns store it (UTC wall time,
 * as Prisma writes them), cast from text: no session time zone in between,
 * and the column side of the comparison stays as it is, so its index applies.
 * `null` is "never": -infinity, the key "never signed in" sorts by.
 */
function timestamp(value: Date | null): Prisma.Sql {
  const text = value ? value.toISOString().replace("T", " ").replace("Z", "") : "-infinity";
  return Prisma.sql`${text}::timestamp`;
}

/** The sort key expressions, written exactly as the indexes are (the planner matches them by shape). */
const LAST_SIGN_IN_KEY = Prisma.sql`COALESCE(u."lastSignInAt", '-infinity'::timestamp)`;
const FULL_NAME = Prisma.sql`lower(btrim(COALESCE(u."firstName", '') || ' ' || COALESCE(u."lastName", '')))`;

function sortSql(sort: UserSort) {
  const key = sort === "last_sign_in_desc" ? LAST_SIGN_IN_KEY : Prisma.sql`u."createdAt"`;
  const direction = sort === "created_asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  return {
    orderBy: Prisma.sql`ORDER BY ${key} ${direction}, u.id ${direction}`,
    after: (cursor: Cursor) =>
      sort === "created_asc"
        ? Prisma.sql`(${key}, u.id) > (${timestamp(cursor.key)}, ${cursor.id})`
        : Prisma.sql`(${key}, u.id) < (${timestamp(cursor.key)}, ${cursor.id})`,
  };
}

/** A page size within [1, max]; anything that is not a number is the default. */
export function clampLimit(value: number | undefined, fallback: number, max: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(Math.trunc(value!), 1), max) : fallback;
}

/** LIKE 'prefix%' with the prefix's own % _ \ taken literally. */
function likePrefix(value: string): string {
  return `${value.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

type SearchTerms = { lower: string; id: string | null };

function searchTerms(query: string | undefined): SearchTerms | null {
  const trimmed = query?.trim().replace(/\s+/g, " ");
  if (!trimmed) return null;
  // Ids are case-sensitive base62; only a query shaped like one is tried as an id prefix.
  const looksLikeId = /^user_[0-9A-Za-z]*$/.test(trimmed);
  return { lower: likePrefix(trimmed.toLowerCase()), id: looksLikeId ? likePrefix(trimmed) : null };
}

/** Users whose email, name, username or id starts with the query: one index range per branch. */
function matchingUserIds(terms: SearchTerms): Prisma.Sql {
  const branches = [
    Prisma.sql`SELECT "userId" AS id FROM "EmailAddress" WHERE "emailNormalized" LIKE ${terms.lower}`,
    Prisma.sql`SELECT u.id FROM "User" u WHERE ${FULL_NAME} LIKE ${terms.lower}`,
    Prisma.sql`SELECT u.id FROM "User" u WHERE lower(u."lastName") LIKE ${terms.lower}`,
    Prisma.sql`SELECT u.id FROM "User" u WHERE lower(u.username) LIKE ${terms.lower}`,
  ];
  if (terms.id) branches.push(Prisma.sql`SELECT u.id FROM "User" u WHERE u.id LIKE ${terms.id}`);
  return Prisma.join(branches, " UNION ALL ");
}

/**
 * The same test, row by row, for walking the sort order. The email test is a
 * correlated lookup on EmailAddress(userId); OFFSET 0 keeps PostgreSQL from
 * turning it into a hash of every matching address (all of them, for "b").
 */
function matchesRow(terms: SearchTerms): Prisma.Sql {
  return Prisma.sql`(${FULL_NAME} LIKE ${terms.lower}
    OR lower(u."lastName") LIKE ${terms.lower}
    OR lower(u.username) LIKE ${terms.lower}
    ${terms.id ? Prisma.sql`OR u.id LIKE ${terms.id}` : Prisma.empty}
    OR EXISTS (SELECT 1 FROM "EmailAddress" m WHERE m."userId" = u.id AND m."emailNormalized" LIKE ${terms.lower} OFFSET 0))`;
}

function filterConditions(input: UserSearchInput, now: Date): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  // Bare boolean columns (not "= true"): the partial indexes WHERE "banned" / "mfaEnabled" match them.
  if (input.banned !== undefined) conditions.push(input.banned ? Prisma.sql`u.banned` : Prisma.sql`NOT u.banned`);
  if (input.mfa !== undefined) conditions.push(input.mfa ? Prisma.sql`u."mfaEnabled"` : Prisma.sql`NOT u."mfaEnabled"`);
  if (input.locked !== undefined) {
    conditions.push(
      input.locked
        ? Prisma.sql`u."lockedUntil" > ${timestamp(now)}`
        : Prisma.sql`(u."lockedUntil" IS NULL OR u."lockedUntil" <= ${timestamp(now)})`,
    );
  }
  if (input.createdFrom) conditions.push(Prisma.sql`u."createdAt" >= ${timestamp(input.createdFrom)}`);
  if (input.createdTo) conditions.push(Prisma.sql`u."createdAt" < ${timestamp(input.createdTo)}`);
  return conditions;
}

export type UserSearchPlan = {
  /** How the page is found: the sort order alone, the few matches sorted, or the sort order walked with a per-row test. */
  strategy: "list" | "matches" | "scan";
  /** Counts matches up to DENSE_MATCHES (run first, when searching). */
  countSql: Prisma.Sql | null;
  /** The page: `limit + 1` rows (the extra one says whether there is a next page). */
  pageSql: (strategy: "list" | "matches" | "scan") => Prisma.Sql;
  limit: number;
  sort: UserSort;
};

/** The queries `searchUsers` runs for `input` (exported for the benchmark's query-plan check). */
export function planUserSearch(input: UserSearchInput, now = new Date()): UserSearchPlan {
  const sort = input.sort ?? "created_desc";
  const limit = clampLimit(input.limit, USER_SEARCH_DEFAULT_LIMIT, USER_SEARCH_MAX_LIMIT);
  if ((input.query?.length ?? 0) > USER_SEARCH_MAX_QUERY_LENGTH) {
    throw new AppError("validation_failed", "The search is too long.", { fields: { query: ["The search is too long."] } });
  }
  const cursor = input.cursor ? decodeCursor(input.cursor, sort) : null;
  const terms = searchTerms(input.query);
  const order = sortSql(sort);

  const pageSql = (strategy: "list" | "matches" | "scan") => {
    const conditions = filterConditions(input, now);
    if (cursor) conditions.push(order.after(cursor));
    if (terms && strategy === "matches") conditions.push(Prisma.sql`u.id IN (${matchingUserIds(terms)})`);
    if (terms && strategy === "scan") conditions.push(matchesRow(terms));
    const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
    // The page first (index order, LIMIT), then its primary addresses: limit + 1 lookups, not one per match.
    return Prisma.sql`
      SELECT u.id, u."firstName", u."lastName", u.username, u."imageUrl", u.role::text AS role, u.banned,
             u."lockedUntil", u."mfaEnabled", u."createdAt", u."lastSignInAt",
             e.email, COALESCE(e.verified, false) AS "emailVerified"
      FROM (
        SELECT u.id, u."firstName", u."lastName", u.username, u."imageUrl", u.role, u.banned, u."lockedUntil",
               u."mfaEnabled", u."createdAt", u."lastSignInAt", u."primaryEmailAddressId"
        FROM "User" u
        ${where}
        ${order.orderBy}
        LIMIT ${limit + 1}
      ) u
      LEFT JOIN "EmailAddress" e ON e.id = u."primaryEmailAddressId"
      ${order.orderBy}`;
  };

  return {
    strategy: terms ? "matches" : "list",
    countSql: terms ? Prisma.sql`SELECT count(*)::int AS n FROM (${matchingUserIds(terms)} LIMIT ${DENSE_MATCHES}) AS matched` : null,
    pageSql,
    limit,
    sort,
  };
}

type UserRowSql = Omit<AdminUserRow, "role"> & { role: string };

/**
 * The statements a search runs, in order: when searching, the capped match
 * count, which picks the page query. (The benchmark explains these.)
 */
export async function userSearchStatements(input: UserSearchInput, now = new Date()): Promise<{ plan: UserSearchPlan; statements: Prisma.Sql[] }> {
  const plan = planUserSearch(input, now);
  if (!plan.countSql) return { plan, statements: [plan.pageSql(plan.strategy)] };
  const [counted] = await db.$queryRaw<{ n: number }[]>(plan.countSql);
  const strategy = (counted?.n ?? 0) >= DENSE_MATCHES ? "scan" : plan.strategy;
  return { plan, statements: [plan.countSql, plan.pageSql(strategy)] };
}

/**
 * EXPLAIN ANALYZE of each statement a search runs (the benchmark's "hot
 * queries on an index" check reads the app's own SQL, not a copy).
 */
export async function explainUserSearch(input: UserSearchInput): Promise<string[][]> {
  const { statements } = await userSearchStatements(input);
  const plans: string[][] = [];
  for (const statement of statements) {
    const rows = await db.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${statement}`);
    plans.push(rows.map((row) => row["QUERY PLAN"]));
  }
  return plans;
}

/** One page of users; `nextCursor` is null on the last page. */
export async function searchUsers(input: UserSearchInput = {}): Promise<{ users: AdminUserRow[]; nextCursor: string | null }> {
  const { plan, statements } = await userSearchStatements(input);
  const rows = await db.$queryRaw<UserRowSql[]>(statements.at(-1)!);
  const page = rows.slice(0, plan.limit).map(toRow);
  const last = page.at(-1);
  const nextCursor =
    rows.length > plan.limit && last
      ? encodeCursor({ sort: plan.sort, key: plan.sort === "last_sign_in_desc" ? last.lastSignInAt : last.createdAt, id: last.id })
      : null;
  return { users: page, nextCursor };
}

function toRow(row: UserRowSql): AdminUserRow {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.emailVerified,
    firstName: row.firstName,
    lastName: row.lastName,
    username: row.username,
    imageUrl: row.imageUrl,
    role: row.role === "admin" ? "admin" : "user",
    banned: row.banned,
    lockedUntil: row.lockedUntil,
    mfaEnabled: row.mfaEnabled,
    createdAt: row.createdAt,
    lastSignInAt: row.lastSignInAt,
  };
}

// --- one user ------------------------------------------------------------------------

export type AdminUserDetail = AdminUserRow & {
  lastActiveAt: Date | null;
  hasPassword: boolean;
  failedSignInAttempts: number;
  emailAddresses: { id: string; email: string; verified: boolean; primary: boolean }[];
  phoneNumbers: { id: string; phoneNumber: string; verified: boolean; primary: boolean }[];
  externalAccounts: { id: string; provider: string; email: string | null; username: string | null; createdAt: Date }[];
  activeSessions: {
    id: string;
    createdAt: Date;
    lastActiveAt: Date;
    expiresAt: Date;
    ip: string | null;
    browser: string | null;
    os: string | null;
    /** "Chrome 131 on macOS 14.5", for lists. */
    device: string;
    /** Set on an impersonation session: the admin acting as the user. */
    actorId: string | null;
  }[];
  mfaFactors: { id: string; type: string; name: string | null; createdAt: Date }[];
  metadata: { publicMetadata: JsonObject; privateMetadata: JsonObject; unsafeMetadata: JsonObject };
  /** Changes whenever any of the three metadata objects does: a metadata write names the one it read. */
  metadataVersion: string;
};

type JsonObject = Record<string, unknown>;

const asObject = (value: unknown): JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};

/**
 * The metadata version, computed by PostgreSQL from jsonb's own text form
 * (keys in a fixed order), so equal metadata has one version wherever it is read.
 */
export const METADATA_VERSION_SQL = Prisma.sql`md5("publicMetadata"::text || '|' || "privateMetadata"::text || '|' || "unsafeMetadata"::text)`;

/** Everything the user page shows, or null for an unknown id. */
export async function getAdminUserDetail(userId: string, now = new Date()): Promise<AdminUserDetail | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    include: {
      emailAddresses: { orderBy: { createdAt: "asc" } },
      phoneNumbers: { orderBy: { createdAt: "asc" } },
      externalAccounts: { orderBy: { createdAt: "asc" } },
      sessions: { where: { status: "active", expiresAt: { gt: now } }, orderBy: { lastActiveAt: "desc" } },
      mfaFactors: { where: { confirmedAt: { not: null } }, orderBy: { createdAt: "asc" } },
    },
  });
  if (!user) return null;
  const [version] = await db.$queryRaw<{ version: string }[]>`SELECT ${METADATA_VERSION_SQL} AS version FROM "User" WHERE id = ${userId}`;
  const primary = user.emailAddresses.find((address) => address.id === user.primaryEmailAddressId);
  return {
    id: user.id,
    email: primary?.email ?? null,
    emailVerified: primary?.verified ?? false,
    firstName: user.firstName,
    lastName: user.lastName,
    username: user.username,
    imageUrl: user.imageUrl,
    role: user.role,
    banned: user.banned,
    lockedUntil: user.lockedUntil,
    mfaEnabled: user.mfaEnabled,
    createdAt: user.createdAt,
    lastSignInAt: user.lastSignInAt,
    lastActiveAt: user.lastActiveAt,
    hasPassword: user.passwordHash !== null,
    failedSignInAttempts: user.failedSignInAttempts,
    emailAddresses: user.emailAddresses.map((address) => ({
      id: address.id,
      email: address.email,
      verified: address.verified,
      primary: address.id === user.primaryEmailAddressId,
    })),
    phoneNumbers: user.phoneNumbers.map((phone) => ({
      id: phone.id,
      phoneNumber: phone.phone,
      verified: phone.verified,
      primary: phone.id === user.primaryPhoneNumberId,
    })),
    externalAccounts: user.externalAccounts.map((account) => ({
      id: account.id,
      provider: account.provider,
      email: account.email,
      username: account.username,
      createdAt: account.createdAt,
    })),
    activeSessions: user.sessions.map((session) => {
      const agent = describeUserAgent(session.userAgent);
      return {
        id: session.id,
        createdAt: session.createdAt,
        lastActiveAt: session.lastActiveAt,
        expiresAt: session.expiresAt,
        ip: session.ip,
        browser: agent.browser,
        os: agent.os,
        device: [agent.browser, agent.os].filter(Boolean).join(" on ") || "Unknown device",
        actorId: session.actorId,
      };
    }),
    mfaFactors: user.mfaFactors.map((factor) => ({ id: factor.id, type: factor.type, name: factor.name, createdAt: factor.createdAt })),
    metadata: {
      publicMetadata: asObject(user.publicMetadata),
      privateMetadata: asObject(user.privateMetadata),
      unsafeMetadata: asObject(user.unsafeMetadata),
    },
    metadataVersion: version?.version ?? "",
  };
}

const USER_ID = /^user_[0-9A-Za-z]{1,40}$/;

/** A user id from a URL: anything not shaped like one cannot exist (and never reaches the database). */
export function parseUserIdParam(value: string): string {
  if (!USER_ID.test(value)) throw new AppError("not_found", "No such user.");
  return value;
}
