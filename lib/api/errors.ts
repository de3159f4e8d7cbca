import "server-only";
import { z } from "zod";
import { AppError, type ErrorCode } from "@/lib/errors";
import { json } from "@/lib/http";

/**
 * Errors of the backend API (S9) in the shape Clerk's backend API uses, so
 * code written against it reads ours unchanged:
 *
 *   { "errors": [{ "code": "form_param_missing", "message": "missing required parameter",
 *                  "longMessage": "email_address must be included.", "meta": { "paramName": "email_address" } }] }
 *
 * Every failure of an /api/v1 request becomes this in `apiErrorResponse`;
 * an unexpected one is logged and answered 500 with no detail (never a trace).
 */
export const apiErrorItemSchema = z
  .object({
    code: z.string().describe("Stable, machine-readable: form_param_missing, resource_not_found, authentication_invalid, ..."),
    message: z.string().describe("Short, human-readable."),
    longMessage: z.string().describe("A sentence saying what was wrong and, where it helps, what to do."),
    meta: z.object({ paramName: z.string().optional().describe("The request parameter the error is about.") }).optional(),
  })
  .meta({ id: "Error" });

export const apiErrorsSchema = z.object({ errors: z.array(apiErrorItemSchema).min(1) }).meta({ id: "Errors" });

export type ApiErrorItem = z.infer<typeof apiErrorItemSchema>;

/** An error the API layer builds itself (request parsing, token checks): status and Clerk-style items. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrorItem[],
  ) {
    super(errors[0]?.longMessage ?? "API error");
    this.name = "ApiError";
  }
}

export function apiError(status: number, code: string, longMessage: string, options: { message?: string; paramName?: string } = {}): ApiError {
  return new ApiError(status, [
    { code, message: options.message ?? longMessage, longMessage, ...(options.paramName ? { meta: { paramName: options.paramName } } : {}) },
  ]);
}

/** The statuses an /api/v1 operation can answer with an error, and what each means. */
export const API_ERROR_STATUSES = {
  400: "The request is malformed: a parameter is missing, unknown or invalid (meta.paramName names it).",
  401: "No secret key, or the key is unknown, revoked or malformed (authentication_invalid).",
  403: "The action is not allowed for this resource.",
  404: "The resource does not exist (resource_not_found).",
  409: "The request conflicts with the current state (an address or username in use, a last admin, ...).",
  410: "The resource is gone (a used or expired link).",
  413: "The request body is too large.",
  415: "The request body is not application/json.",
  422: "The request is well-formed but cannot be processed (a password against the policy, a token that is not a JWT).",
  429: "Too many requests with this key: wait for Retry-After seconds.",
} as const;

export type ApiErrorStatus = keyof typeof API_ERROR_STATUSES;

/** Domain errors (lib/errors.ts codes) as Clerk-style codes. Unlisted codes fall back by status. */
const CODES: Partial<Record<ErrorCode, { code: string; message: string }>> = {
  validation_failed: { code: "form_param_value_invalid", message: "is invalid" },
  invalid_json: { code: "malformed_request_body", message: "malformed request body" },
  password_policy: { code: "form_password_validation_failed", message: "password does not meet the policy" },
  invalid_credentials: { code: "authentication_invalid", message: "unauthorized" },
  unauthenticated: { code: "authentication_invalid", message: "unauthorized" },
  session_invalid: { code: "session_invalid", message: "session is no longer valid" },
  forbidden: { code: "action_forbidden", message: "not allowed" },
  not_found: { code: "resource_not_found", message: "not found" },
  email_taken: { code: "form_identifier_exists", message: "that email address is taken" },
  conflict: { code: "resource_conflict", message: "conflict" },
  verification_used: { code: "resource_gone", message: "already used" },
  verification_expired: { code: "resource_gone", message: "expired" },
  payload_too_large: { code: "request_body_too_large", message: "request body too large" },
  unsupported_media_type: { code: "unsupported_media_type", message: "unsupported media type" },
  account_locked: { code: "user_locked", message: "user is locked" },
  rate_limited: { code: "too_many_requests", message: "too many requests" },
};

const BY_STATUS: Record<number, string> = { 400: "bad_request", 401: "authentication_invalid", 403: "action_forbidden", 404: "resource_not_found", 409: "resource_conflict", 410: "resource_gone", 422: "unprocessable_entity", 429: "too_many_requests" };

/**
 * A domain field name as the API's parameter: the operation's own mapping
 * first ("email" -> "email_address"), else camelCase -> snake_case
 * ("publicMetadata" -> "public_metadata"), dots kept ("actor.sub").
 */
export function apiParamName(field: string, paramNames: Readonly<Record<string, string>> = {}): string {
  return paramNames[field] ?? field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function fromAppError(error: AppError, paramNames: Readonly<Record<string, string>>): ApiErrorItem[] {
  const mapped = CODES[error.code] ?? { code: BY_STATUS[error.status] ?? "request_failed", message: error.message };
  const fields = Object.entries(error.fields ?? {});
  if (fields.length === 0) return [{ code: mapped.code, message: mapped.message, longMessage: error.message }];
  // A username in use is a conflict on that field: Clerk calls it an identifier that exists.
  const code = error.code === "conflict" && fields.some(([field]) => field === "username") ? "form_identifier_exists" : mapped.code;
  return fields.flatMap(([field, messages]) =>
    messages.map((message) => ({ code, message: mapped.message, longMessage: message, meta: { paramName: apiParamName(field, paramNames) } })),
  );
}

/** The one place an /api/v1 failure becomes a response. */
export function apiErrorResponse(error: unknown, paramNames: Readonly<Record<string, string>> = {}): Response {
  const headers: Record<string, string> = {};
  let status: number;
  let errors: ApiErrorItem[];
  if (error instanceof ApiError) {
    status = error.status;
    errors = error.errors;
  } else if (error instanceof AppError) {
    status = error.status;
    errors = fromAppError(error, paramNames);
    if (error.retryAfter !== undefined) headers["Retry-After"] = String(Math.max(1, Math.ceil(error.retryAfter)));
  } else {
    console.error("[portal] /api/v1 unexpected error", error);
    status = 500;
    errors = [{ code: "internal_error", message: "internal error", longMessage: "Something went wrong on our side. Try again; if it persists, check the server logs." }];
  }
  if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"';
  return json({ errors }, { status, headers });
}
