/**
 * The password policy's fixed numbers (S3), apart from the policy itself so the
 * server can use them without loading zxcvbn's dictionaries (lib/password/index.ts).
 * Client-safe: no "server-only", no node: imports.
 */

/** Characters (Unicode code points, as NIST counts them), not bytes. The instance may ask for more (passwordMinLength). */
export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt ignores everything after the 72nd UTF-8 byte, so longer input is refused rather than cut. */
export const PASSWORD_MAX_BYTES = 72;
/** zxcvbn score (0-4) a password needs unless the instance settings say otherwise. */
export const DEFAULT_MIN_SCORE = 2;
