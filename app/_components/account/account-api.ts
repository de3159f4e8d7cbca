import { errorCode, getJson, navigate, postJson, type ApiFailure, type ApiResult } from "../api";

/** GET /api/account/mfa (S6). */
export type MfaStatus = {
  enabled: boolean;
  totp: { enabled: boolean };
  sms: { available: boolean; enabled: boolean; phoneHint: string | null; pendingPhoneHint: string | null };
  backupCodes: { remaining: number; low: boolean };
};

export type TotpEnrolment = { factorId: string; secret: string; uri: string; qrSvg: string };
/** The 10 backup codes, shown once: present when a first factor turned two-step verification on, or on regenerate. */
export type BackupCodes = { backupCodes: string[] | null };
export type CodeSent = { status: "sent"; phoneHint: string; resendAfter: number };
export type ReverifyMethods = { password: boolean; totp: boolean; backupCode: boolean; sms: { phoneHint: string } | null };

let refreshing: Promise<ApiResult<unknown>> | null = null;

/** One token refresh at a time, however many calls found the token expired together. */
function refreshSession(): Promise<ApiResult<unknown>> {
  refreshing ??= postJson("/api/auth/session/refresh", {}).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * Runs a call to a signed-in route. The session token lives 60 s and the
 * page refreshes it every 50 s, so a call can still meet an expired one (a
 * tab that slept): a 401 refreshes it once and repeats the call. When the
 * session itself is over, the browser goes to sign-in and comes back here.
 */
export async function withSession<T>(call: () => Promise<ApiResult<T>>): Promise<ApiResult<T>> {
  const result = await call();
  if (result.ok || result.status !== 401) return result;
  const refreshed = await refreshSession();
  if (refreshed.ok) return call();
  if (refreshed.status === 401) {
    const here = `${window.location.pathname}${window.location.search}`;
    navigate(`/sign-in?${new URLSearchParams({ redirect_url: here }).toString()}`);
  }
  return result;
}

export function isReverificationRequired(result: ApiResult<unknown>): result is ApiFailure {
  return !result.ok && result.status === 403 && errorCode(result) === "reverification_required";
}

export const fetchMfaStatus = () => withSession(() => getJson<MfaStatus>("/api/account/mfa"));
