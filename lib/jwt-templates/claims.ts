/**
 * JWT template claims (S9): a JSON object whose string values may hold
 * `{{shortcodes}}`, rendered per user and session. Pure code with no server
 * imports: the admin's editor runs the same checks as you type that the
 * server runs at save time.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What the shortcodes read: one user and one of their sessions. */
export type ClaimsContext = {
  user: {
    id: string;
    primary_email_address: string | null;
    email_verified: boolean;
    first_name: string | null;
    last_name: string | null;
    full_name: string | null;
    username: string | null;
    image_url: string | null;
    public_metadata: JsonValue;
    role: string;
  };
  session: { id: string | null; actor: { sub: string } | null };
};

export const SHORTCODES: readonly { code: string; description: string }[] = [
  { code: "user.id", description: "The user's id (user_...)" },
  { code: "user.primary_email_address", description: "Primary email address" },
  { code: "user.email_verified", description: "Whether the primary address is verified (true/false)" },
  { code: "user.first_name", description: "First name" },
  { code: "user.last_name", description: "Last name" },
  { code: "user.full_name", description: "First and last name" },
  { code: "user.username", description: "Username" },
  { code: "user.image_url", description: "Profile picture URL" },
  { code: "user.public_metadata", description: "Public metadata (an object)" },
  { code: "user.public_metadata.<path>", description: "One value of the public metadata, e.g. user.public_metadata.role" },
  { code: "user.role", description: "Portal role: user or admin" },
  { code: "session.id", description: "The session's id (sess_...)" },
  { code: "session.actor", description: "{ sub } of the impersonating admin, or null" },
];

const FIXED_SHORTCODES = new Set(SHORTCODES.map((shortcode) => shortcode.code).filter((code) => !code.includes("<")));
const METADATA_PREFIX = "user.public_metadata.";
/** A metadata path: dot-separated segments, each without spaces, dots or braces. */
const METADATA_PATH = /^[^\s.{}]+(\.[^\s.{}]+)*$/;
const SHORTCODE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE_SHORTCODE = /^\{\{\s*([^{}]*?)\s*\}\}$/;

/** Claims JSON may be at most this many bytes (UTF-8). */
export const MAX_CLAIMS_BYTES = 8 * 1024;

/** Claims the portal always sets itself (S9): a template cannot override them. */
export const RESERVED_CLAIMS = ["sub", "iss", "sid", "exp", "iat", "nbf"] as const;

/**
 * Names Firebase refuses inside a custom token's `claims` (its documented
 * reserved claims): with the Firebase signing, the template's claims go there.
 */
export const FIREBASE_RESERVED_CLAIMS = [
  "acr", "amr", "at_hash", "aud", "auth_time", "azp", "cnf", "c_hash", "exp", "firebase", "iat", "iss", "jti", "nbf", "nonce", "sub",
] as const;

/** `$.app.role`, `$["https://hasura.io/jwt/claims"]["x-hasura-user-id"]`, `$.roles[0]`. */
export function jsonPath(segments: readonly (string | number)[]): string {
  return `$${segments
    .map((segment) => (typeof segment === "number" ? `[${segment}]` : /^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`))
    .join("")}`;
}

/** Why a shortcode is not one we know, or null when it is. */
function shortcodeProblem(code: string): string | null {
  if (FIXED_SHORTCODES.has(code)) return null;
  if (code.startsWith(METADATA_PREFIX) && METADATA_PATH.test(code.slice(METADATA_PREFIX.length))) return null;
  if (code === "org" || code.startsWith("org.")) return "organizations are not available yet";
  return "unknown";
}

/** "line 3, column 7" for a JSON.parse failure, when the engine says where. */
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "Unexpected end of JSON input" says no position: it is the end.
  const position = message.match(/at position (\d+)/) ?? (/end of (JSON )?(input|data)/i.test(message) ? ["", String(text.length)] : null);
  const reason = message
    .replace(/\s*\(line \d+ column \d+\)/, "")
    .replace(/\s*in JSON at position \d+/, "")
    .replace(/^JSON\.parse:\s*/, "")
    .replace(/\s*at line \d+ column \d+ of the JSON data$/, "");
  if (!position) {
    const lineColumn = message.match(/line (\d+) column (\d+)/);
    return lineColumn ? `Invalid JSON at line ${lineColumn[1]}, column ${lineColumn[2]}: ${reason}.` : `Invalid JSON: ${reason}.`;
  }
  const offset = Number(position[1]);
  const before = text.slice(0, offset).split("\n");
  return `Invalid JSON at line ${before.length}, column ${before.at(-1)!.length + 1} (position ${offset}): ${reason}.`;
}

export type ClaimsCheck = { ok: true; claims: JsonObject } | { ok: false; errors: string[] };

/**
 * Parses and checks claims JSON as it is saved: valid JSON, an object, at
 * most 8 kB, only known shortcodes (each error names its JSON path), no
 * reserved claim at the top level.
 */
export function checkClaimsText(text: string, options: { reserved?: readonly string[]; reservedReason?: string } = {}): ClaimsCheck {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_CLAIMS_BYTES) return { ok: false, errors: [`Claims are ${bytes.toLocaleString("en-US")} bytes; the limit is 8 KB.`] };
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch (error) {
    return { ok: false, errors: [describeJsonError(text, error)] };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, errors: ['Claims must be a JSON object, like { "aud": "authenticated" }.'] };
  }
  const errors: string[] = [];
  const reserved = options.reserved ?? RESERVED_CLAIMS;
  for (const key of Object.keys(value)) {
    if (reserved.includes(key)) errors.push(`The claim "${key}" is reserved: ${options.reservedReason ?? "the portal always sets it itself"}.`);
  }
  walkStrings(value as JsonValue, [], (text, path) => {
    for (const match of text.matchAll(SHORTCODE)) {
      const problem = shortcodeProblem(match[1]!);
      if (problem === "unknown") errors.push(`Unknown shortcode ${match[0]} at ${jsonPath(path)}`);
      else if (problem) errors.push(`Shortcode ${match[0]} at ${jsonPath(path)}: ${problem}`);
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, claims: value as JsonObject };
}

function walkStrings(value: JsonValue, path: (string | number)[], visit: (text: string, path: (string | number)[]) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, index) => walkStrings(item, [...path, index], visit));
  else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) walkStrings(item, [...path, key], visit);
}

/** The value of one (known) shortcode; undefined when it has none (a metadata path that is not there). */
function resolve(code: string, context: ClaimsContext): JsonValue | undefined {
  if (code.startsWith(METADATA_PREFIX)) {
    let current: JsonValue | undefined = context.user.public_metadata;
    for (const segment of code.slice(METADATA_PREFIX.length).split(".")) {
      if (current === null || typeof current !== "object") return undefined;
      current = Array.isArray(current) ? current[Number(segment)] : Object.hasOwn(current, segment) ? current[segment] : undefined;
    }
    return current;
  }
  const [scope, field] = code.split(".") as ["user" | "session", string];
  const source = context[scope] as Record<string, JsonValue | undefined> | undefined;
  return source && Object.hasOwn(source, field) ? source[field] : undefined;
}

function renderString(text: string, context: ClaimsContext): JsonValue {
  // Exactly one shortcode: the value keeps its JSON type (object, array, boolean); missing is null.
  const whole = text.match(WHOLE_SHORTCODE);
  if (whole) return resolve(whole[1]!, context) ?? null;
  // Inside longer text: interpolated as text; a missing value is empty text.
  return text.replace(SHORTCODE, (_match, code: string) => {
    const value = resolve(code, context);
    if (value === undefined || value === null) return "";
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

/** Renders checked claims for one user and session. */
export function renderClaims(claims: JsonObject, context: ClaimsContext): JsonObject {
  const render = (value: JsonValue): JsonValue => {
    if (typeof value === "string") return renderString(value, context);
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === "object") {
      // No prototype: a claim named "__proto__" stays a plain claim name.
      const out: JsonObject = Object.create(null);
      for (const [key, item] of Object.entries(value)) out[key] = render(item);
      return { ...out };
    }
    return value;
  };
  return render(claims) as JsonObject;
}
