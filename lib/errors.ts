/**
 * The one error type domain code throws. Route handlers never build error
 * responses themselves: lib/http maps an AppError to its status in one place.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  password_policy: 422,
  invalid_credentials: 401,
  unauthenticated: 401,
  session_invalid: 401,
  forbidden: 403,
  /** A sensitive action needs a verification within the last 10 minutes (S6 step-up). */
  reverification_required: 403,
  origin_mismatch: 403,
  not_found: 404,
  email_taken: 409,
  /** A phone number verified by another account (issue 19): unique among verified numbers. */
  phone_taken: 409,
  /** A write based on a stale read (settings versions). */
  conflict: 409,
  /** Email codes and links (S4): wrong code, expired, already used, voided after too many wrong tries. */
  verification_incorrect: 422,
  verification_expired: 410,
  verification_used: 410,
  verification_voided: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  account_locked: 423,
  rate_limited: 429,
  /** Bot protection (S10): solve the challenge (or a fresh one) and send the request again. */
  bot_challenge_required: 428,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type FieldErrors = Record<string, string[]>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields?: FieldErrors;
  /** Seconds, for 429 responses. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, options: { fields?: FieldErrors; retryAfter?: number } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.fields = options.fields;
    this.retryAfter = options.retryAfter;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
