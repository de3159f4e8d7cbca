import { parse as parseCsv } from "csv-parse/sync";

/**
 * Reading an export file into records of the portal's import shape
 * (docs/importing.md), one per user, each with the row it came from. The
 * shape itself is checked by lib/import/import.ts; here only the file and the
 * other providers' field names are dealt with.
 *
 *   portal  a JSON array or JSON lines of portal records, or a CSV with Clerk's columns
 *           (plus optional metadata and created_at columns)
 *   clerk   Clerk's dashboard export (CSV), or a JSON array of Clerk user objects
 *           (the backend API's shape, which Clerk support's export with digests uses)
 *   auth0   Auth0's user export (JSON lines, or an array), and the password-hash
 *           export Auth0 support sends (JSON lines with `_id.$oid` and `passwordHash`)
 *
 * `row` is the line in the file for CSV and JSON lines (a CSV's header is
 * line 1), and the position (from 1) in a JSON array.
 */
export const IMPORT_FORMATS = ["portal", "clerk", "auth0"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type ImportRecord = { row: number; data: unknown };
export type ImportFailure = { row: number; externalId: string | null; message: string; fields?: Record<string, string[]> };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);

/** Raw JSON records: an array, or one object per line (blank lines skipped). Unparsable lines are failures, not the end. */
function readJson(content: string): { records: ImportRecord[]; failed: ImportFailure[] } {
  const trimmed = content.trimStart();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      // One broken array cannot be read record by record: the whole file fails as row 1.
      return { records: [], failed: [{ row: 1, externalId: null, message: `The file is not valid JSON: ${(error as Error).message}` }] };
    }
    return { records: (parsed as unknown[]).map((data, index) => ({ row: index + 1, data })), failed: [] };
  }
  const records: ImportRecord[] = [];
  const failed: ImportFailure[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    try {
      records.push({ row: index + 1, data: JSON.parse(line) });
    } catch (error) {
      failed.push({ row: index + 1, externalId: null, message: `This line is not valid JSON: ${(error as Error).message}` });
    }
  });
  return { records, failed };
}

function looksLikeJson(content: string): boolean {
  const first = content.trimStart()[0];
  return first === "[" || first === "{";
}

/** Clerk's multi-valued cells: pipe-separated (older exports: commas inside a quoted cell). */
function list(cell: unknown): string[] {
  return typeof cell === "string" ? cell.split(/[|,;]/).map((value) => value.trim()).filter(Boolean) : [];
}

function jsonCell(cell: unknown): unknown {
  const value = text(cell);
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return value; // the row check then says it is not a JSON object
  }
}

function emailList(verified: string[], unverified: string[], primary: string | undefined) {
  const emails = [...verified.map((email) => ({ email_address: email, verified: true })), ...unverified.map((email) => ({ email_address: email, verified: false }))];
  // A primary address in neither list (some exports): imported, unverified.
  if (primary && !emails.some((entry) => entry.email_address.toLowerCase() === primary.toLowerCase())) {
    emails.unshift({ email_address: primary, verified: false });
  }
  return emails;
}

/** A CSV row with Clerk's column names (the portal's CSV uses the same, plus metadata and created_at). */
function fromCsvRow(cells: Record<string, unknown>): JsonObject {
  const primary = text(cells.primary_email_address);
  return {
    external_id: text(cells.external_id) ?? text(cells.id),
    email_addresses: emailList(list(cells.verified_email_addresses), list(cells.unverified_email_addresses), primary),
    primary_email_address: primary,
    first_name: text(cells.first_name),
    last_name: text(cells.last_name),
    username: text(cells.username),
    public_metadata: jsonCell(cells.public_metadata),
    private_metadata: jsonCell(cells.private_metadata),
    unsafe_metadata: jsonCell(cells.unsafe_metadata),
    password_digest: text(cells.password_digest),
    password_hasher: text(cells.password_hasher),
    created_at: text(cells.created_at),
  };
}

function readCsv(content: string): { records: ImportRecord[]; failed: ImportFailure[] } {
  let rows: { record: Record<string, unknown>; info: { lines: number } }[];
  try {
    rows = parseCsv(content, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { records: [], failed: [{ row: line, externalId: null, message: `The file is not valid CSV: ${(error as Error).message}` }] };
  }
  return { records: rows.map(({ record, info }) => ({ row: info.lines, data: fromCsvRow(record) })), failed: [] };
}

/** A Clerk user object (backend API / support export with digests). */
function fromClerkJson(user: unknown): unknown {
  if (!isObject(user)) return user;
  const addresses = Array.isArray(user.email_addresses) ? user.email_addresses.filter(isObject) : [];
  const primary = addresses.find((address) => address.id === user.primary_email_address_id);
  return {
    external_id: text(user.external_id) ?? text(user.id),
    email_addresses: addresses.map((address) => ({
      email_address: address.email_address,
      verified: isObject(address.verification) && address.verification.status === "verified",
    })),
    primary_email_address: primary?.email_address,
    first_name: user.first_name ?? undefined,
    last_name: user.last_name ?? undefined,
    username: user.username ?? undefined,
    public_metadata: user.public_metadata ?? undefined,
    private_metadata: user.private_metadata ?? undefined,
    unsafe_metadata: user.unsafe_metadata ?? undefined,
    password_digest: text(user.password_digest),
    password_hasher: text(user.password_hasher),
    created_at: user.created_at ?? undefined,
  };
}

/** Auth0's custom_password_hash / hash export algorithm, as one of our hashers (unknown ones pass through and are refused by name). */
function auth0Hasher(algorithm: string | undefined, digest: string | undefined): string | undefined {
  if (!algorithm) return undefined;
  if (algorithm === "argon2") return digest?.startsWith("$argon2i$") ? "argon2i" : "argon2id";
  if (algorithm === "pbkdf2") return "pbkdf2_sha256";
  return algorithm;
}

/** A line of Auth0's user export, or of the password-hash export from Auth0 support. */
function fromAuth0(user: unknown): unknown {
  if (!isObject(user)) return user;
  // The hash export names the user by its database id: the profile export's user_id is "auth0|" + that id.
  const oid = isObject(user._id) ? text(user._id.$oid) : text(user._id);
  const email = text(user.email);
  const custom = isObject(user.custom_password_hash) ? user.custom_password_hash : null;
  const customDigest = custom && isObject(custom.hash) ? text(custom.hash.value) : undefined;
  const digest = text(user.passwordHash) ?? customDigest;
  return {
    external_id: text(user.user_id) ?? (oid ? `auth0|${oid}` : undefined),
    email_addresses: email ? [{ email_address: email, verified: user.email_verified === true }] : [],
    primary_email_address: email,
    first_name: user.given_name ?? undefined,
    last_name: user.family_name ?? undefined,
    username: user.username ?? undefined,
    // Auth0's app_metadata is the application's (not the user's to change); user_metadata is the user's own.
    private_metadata: user.app_metadata ?? undefined,
    unsafe_metadata: user.user_metadata ?? undefined,
    password_digest: digest,
    password_hasher: text(user.passwordHash) ? "bcrypt" : auth0Hasher(custom ? text(custom.algorithm) : undefined, customDigest),
    created_at: isObject(user.created_at) ? user.created_at.$date : (user.created_at ?? undefined),
  };
}

/** Reads an export file (see the formats above) into records for `importUsers`, plus the rows that could not even be read. */
export function readImportFile(content: string, format: ImportFormat): { records: ImportRecord[]; failed: ImportFailure[] } {
  const read = looksLikeJson(content) ? readJson(content) : format === "auth0" ? readJson(content) : readCsv(content);
  if (!looksLikeJson(content) || format === "portal") return read;
  const adapt = format === "clerk" ? fromClerkJson : fromAuth0;
  return { records: read.records.map((record) => ({ row: record.row, data: adapt(record.data) })), failed: read.failed };
}
