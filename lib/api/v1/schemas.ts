import { z } from "zod";
import { flagParam, instantParam, USER_SEARCH_MAX_LIMIT, USER_SEARCH_MAX_QUERY_LENGTH } from "@/lib/admin";
import { emailField, passwordField, safeText } from "@/lib/http";
import { templateNameField } from "@/lib/jwt-templates";
import { PASSWORD_HASHERS } from "@/lib/password";
import { profileNameField, usernameField } from "@/lib/users";

/**
 * The zod schemas of the backend API (S9): what the handlers parse requests
 * with and what they answer, and the source of the OpenAPI document
 * (lib/api/openapi.ts). Resources carry an `id` in their metadata: they become
 * `components.schemas` entries. Names are snake_case, timestamps are unix
 * milliseconds, as in Clerk's backend API.
 */

// --- resources (responses) ------------------------------------------------------------------

/** Metadata objects are free-form JSON objects (each at most 8 KB). */
const metadataObject = (description: string) => z.unknown().meta({ type: "object", additionalProperties: true, description });

const millis = (description: string) => z.number().int().describe(`${description} (unix milliseconds)`);
const nullableMillis = (description: string) => z.number().int().nullable().describe(`${description} (unix milliseconds), null if never`);

const verification = z.object({ status: z.string().meta({ enum: ["verified", "unverified"] }) });

export const emailAddressSchema = z
  .object({ object: z.literal("email_address"), id: z.string(), email_address: z.string(), verification })
  .meta({ id: "EmailAddress" });

export const phoneNumberSchema = z
  .object({ object: z.literal("phone_number"), id: z.string(), phone_number: z.string().describe("E.164"), verification })
  .meta({ id: "PhoneNumber" });

export const externalAccountSchema = z
  .object({
    object: z.literal("external_account"),
    id: z.string(),
    provider: z.string(),
    provider_user_id: z.string(),
    email_address: z.string().nullable(),
    username: z.string().nullable(),
    image_url: z.string().nullable(),
  })
  .meta({ id: "ExternalAccount" });

/** The same JSON as `toUserResource` (lib/users/resource.ts) and the `user.*` webhook events. */
export const userSchema = z
  .object({
    object: z.literal("user"),
    id: z.string().meta({ examples: ["user_2x9GvYQ4bLwF1cN3dEoTtR7mZkA"] }),
    role: z.string().meta({ enum: ["user", "admin"] }),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    username: z.string().nullable(),
    external_id: z.string().nullable().describe("The user's id in your own system (set on create or update, or by an import)."),
    image_url: z.string().nullable(),
    has_image: z.boolean(),
    primary_email_address_id: z.string().nullable(),
    primary_phone_number_id: z.string().nullable(),
    email_addresses: z.array(emailAddressSchema),
    phone_numbers: z.array(phoneNumberSchema),
    external_accounts: z.array(externalAccountSchema),
    password_enabled: z.boolean(),
    two_factor_enabled: z.boolean(),
    totp_enabled: z.boolean(),
    backup_code_enabled: z.boolean(),
    banned: z.boolean(),
    locked: z.boolean(),
    public_metadata: metadataObject("Read by the user's pages and the backend; written by the backend and admins."),
    private_metadata: metadataObject("Backend and admins only."),
    unsafe_metadata: metadataObject("Read and written by the user."),
    last_sign_in_at: nullableMillis("Last sign-in"),
    last_active_at: nullableMillis("Last activity"),
    created_at: millis("Created"),
    updated_at: millis("Last change"),
  })
  .meta({ id: "User" });

export const userListSchema = z
  .object({
    data: z.array(userSchema),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
  })
  .meta({ id: "UserList" });

export const deletedObjectSchema = z
  .object({ object: z.string(), id: z.string(), deleted: z.literal(true) })
  .meta({ id: "DeletedObject" });

export const sessionStatusValues = ["active", "ended", "revoked", "expired", "replaced"] as const;

export const sessionSchema = z
  .object({
    object: z.literal("session"),
    id: z.string(),
    user_id: z.string(),
    client_id: z.string(),
    status: z.enum(sessionStatusValues).describe("An active session past its expiry is reported as expired."),
    created_at: millis("Opened"),
    updated_at: millis("Last change"),
    last_active_at: millis("Last activity"),
    expire_at: millis("Ends at the latest"),
    ended_at: nullableMillis("Ended"),
    actor: z.object({ sub: z.string() }).nullable().describe("During an impersonation: the admin acting as the user."),
  })
  .meta({ id: "Session" });

export const sessionListSchema = z
  .object({ data: z.array(sessionSchema), next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page.") })
  .meta({ id: "SessionList" });

export const templateTokenSchema = z
  .object({ object: z.literal("token"), jwt: z.string(), expires_at: z.number().int().describe("The token's exp (unix seconds)") })
  .meta({ id: "Token" });

export const tokenVerificationSchema = z
  .object({
    object: z.literal("token_verification"),
    claims: z
      .object({
        sub: z.string(),
        sid: z.string(),
        iss: z.string(),
        exp: z.number().int(),
        iat: z.number().int(),
      })
      .catchall(z.unknown())
      .describe("The session token's claims (sub, sid, iss, iat, nbf, exp, azp, role, act, ...)."),
    session: z.object({ id: z.string(), status: z.enum(sessionStatusValues), user_id: z.string() }),
  })
  .meta({ id: "TokenVerification" });

export const actorTokenSchema = z
  .object({
    object: z.literal("actor_token"),
    id: z.string(),
    status: z.enum(["pending", "accepted", "expired", "revoked"]),
    user_id: z.string(),
    actor: z.object({ sub: z.string() }),
    token: z.string().nullable().describe("Only in the response that creates it."),
    url: z.string().nullable().describe("Open in a browser where the actor is signed in, once. Only in the response that creates it."),
    created_at: millis("Created"),
    expires_at: millis("Expires"),
  })
  .meta({ id: "ActorToken" });

/** The OpenAPI document is a JSON object; its own schema is the OpenAPI 3.1 specification. */
export const openApiDocumentSchema = z.record(z.string(), z.unknown()).meta({ description: "An OpenAPI 3.1 document." });

// --- request fields -------------------------------------------------------------------------

const idParam = (prefix: string, label: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,40}$`), `Not a ${label} id.`).describe(`A ${label} id (${prefix}_...)`);

export const userIdParam = idParam("user", "user");
export const sessionIdParam = idParam("sess", "session");
export const actorTokenIdParam = idParam("act", "actor token");
/** A JWT template's name, by the rule templates are saved with (lib/jwt-templates). */
export const templateNameParam = templateNameField.describe("A JWT template's name (as in /admin/jwt-templates)");

/** Metadata in a request: any JSON object; size (8 KB each) and shape are checked by the domain. */
const externalIdField = safeText({ max: 255, min: 1, label: "external_id" });

const metadataInput = (description: string) => z.record(z.string(), z.unknown()).describe(description);

/** Query strings ignore parameters they do not know (a cache-buster is harmless); bodies are strict. */
export const listUsersQuery = z.object({
  query: safeText({ max: USER_SEARCH_MAX_QUERY_LENGTH, label: "query" })
    .optional()
    .describe("Prefix of an email address, first or last name, username or user id (case-insensitive)."),
  banned: flagParam.optional().describe("Only banned (true) or not banned (false) users."),
  locked: flagParam.optional().describe("Only users locked out now (true) or not (false)."),
  mfa: flagParam.optional().describe("Only users with (true) or without (false) a second factor."),
  created_after: instantParam({ endOfDay: false }).optional().describe("Created at or after: YYYY-MM-DD or an ISO date-time."),
  created_before: instantParam({ endOfDay: true }).optional().describe("Created before: an ISO date-time, or YYYY-MM-DD to include that whole day."),
  order_by: z.enum(["created_desc", "created_asc", "last_sign_in_desc"]).optional().describe("Default created_desc."),
  cursor: safeText({ max: 500, label: "cursor" }).optional().describe("`next_cursor` of the previous page."),
  limit: z.coerce.number().int().min(1).max(USER_SEARCH_MAX_LIMIT).optional().describe(`Page size, 1 to ${USER_SEARCH_MAX_LIMIT}; default 25.`),
});

export const createUserBody = z.strictObject({
  email_address: emailField.describe("The primary address; created verified (the backend vouches for it)."),
  password: passwordField.optional().describe("Checked against the instance's password policy. Without one the user signs in by email code, link or OAuth."),
  password_digest: safeText({ max: 1024, min: 1, label: "password_digest" })
    .optional()
    .describe(
      "Instead of `password`: the user's password hash from the system they are moving from, with `password_hasher` (formats: docs/importing.md). Checked at sign-in and replaced by this instance's bcrypt on the first successful one.",
    ),
  password_hasher: z
    .enum(PASSWORD_HASHERS, { error: `password_hasher must be one of: ${PASSWORD_HASHERS.join(", ")}.` })
    .optional()
    .describe("The algorithm that made `password_digest` (Clerk's names)."),
  phone_number: safeText({ max: 40, min: 1, label: "phone_number" })
    .optional()
    .describe("A phone number, E.164 (`+14155550123`); created verified and primary, like the email address. In use by another user: 409."),
  external_id: externalIdField.optional().describe("The user's id in your own system; unique (409 when another user has it)."),
  first_name: profileNameField("first_name").optional(),
  last_name: profileNameField("last_name").optional(),
  public_metadata: metadataInput("Public metadata (a JSON object, at most 8 KB).").optional(),
  private_metadata: metadataInput("Private metadata (a JSON object, at most 8 KB).").optional(),
  unsafe_metadata: metadataInput("Unsafe metadata (a JSON object, at most 8 KB).").optional(),
});

export const updateUserBody = z.strictObject({
  first_name: profileNameField("first_name").nullable().optional().describe("Empty or null clears it."),
  last_name: profileNameField("last_name").nullable().optional().describe("Empty or null clears it."),
  username: usernameField.nullable().optional().describe("Unique (case-insensitive); empty or null clears it."),
  external_id: externalIdField.nullable().optional().describe("The user's id in your own system; unique; null clears it."),
});

export const updateMetadataBody = z.strictObject({
  public_metadata: metadataInput("Deep-merged into the public metadata; a key set to null is removed.").optional(),
  private_metadata: metadataInput("Deep-merged into the private metadata; a key set to null is removed.").optional(),
  unsafe_metadata: metadataInput("Deep-merged into the unsafe metadata; a key set to null is removed.").optional(),
});

export const listSessionsQuery = z.object({
  user_id: userIdParam,
  status: z.enum(sessionStatusValues).optional().describe("Only sessions in this status."),
  cursor: safeText({ max: 500, label: "cursor" }).optional().describe("`next_cursor` of the previous page."),
  limit: z.coerce.number().int().min(1).max(100).optional().describe("Page size, 1 to 100; default 25."),
});

export const verifyTokenBody = z.strictObject({
  token: z.string().min(1).max(8192).describe("A session token (the `__session` cookie or a Bearer token your app received)."),
});

export const createActorTokenBody = z.strictObject({
  user_id: userIdParam.describe("The user to act as (not an admin, not banned)."),
  actor: z.strictObject({ sub: userIdParam.describe("The admin who will act as the user.") }),
  expires_in_seconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(3600)
    .describe("How long the link works, 1 to 3600 seconds (default 3600). The impersonation itself lasts at most an hour."),
});
