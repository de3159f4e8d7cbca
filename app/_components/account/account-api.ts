import { errorCode, getJson, withSession, type ApiFailure, type ApiResult } from "../api";

/** GET /api/account/mfa (S6). */
export type MfaStatus = {
  enabled: boolean;
  /** `available`: new authenticator apps allowed (S8); an app already set up stays usable and removable. */
  totp: { available: boolean; enabled: boolean };
  sms: { available: boolean; enabled: boolean; phoneHint: string | null; pendingPhoneHint: string | null };
  backupCodes: { remaining: number; low: boolean };
  /** `available`: new security keys allowed (S8); keys already added stay usable and removable. */
  securityKey: { available: boolean; count: number };
};

export type TotpEnrolment = { factorId: string; secret: string; uri: string; qrSvg: string };
/** The 10 backup codes, shown once: present when a first factor turned two-step verification on, or on regenerate. */
export type BackupCodes = { backupCodes: string[] | null };
export type CodeSent = { status: "sent"; phoneHint: string; resendAfter: number };
export type ReverifyMethods = {
  password: boolean;
  totp: boolean;
  backupCode: boolean;
  sms: { phoneHint: string } | null;
  securityKey: boolean;
  /** Only for accounts with no password and no second factor: a code to the primary address. */
  emailCode: { emailHint: string } | null;
};
export type EmailCodeSent = { status: "sent"; emailHint: string; resendAfter: number };

// Shared with pages outside the account area (OAuth "Connect"): lives in ../api.ts.
export { withSession };

export function isReverificationRequired(result: ApiResult<unknown>): result is ApiFailure {
  return !result.ok && result.status === 403 && errorCode(result) === "reverification_required";
}

export const fetchMfaStatus = () => withSession(() => getJson<MfaStatus>("/api/account/mfa"));
