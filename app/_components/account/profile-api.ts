import { GENERIC_ERROR_MESSAGE, NETWORK_ERROR_MESSAGE, getJson, postJson, rateLimitMessage, retryAfterSeconds, type ApiErrorItem, type ApiResult } from "../api";
import type { AccountProfile } from "@/lib/users/profile";
import { withSession } from "./account-api";

/** GET/PATCH /api/account/profile (S7); a type-only import, erased from the client bundle. */
export type { AccountProfile };

export type UsernameCheck = { username: string; available: boolean; message: string | null };

export const PROFILE_FIELDS = ["firstName", "lastName", "username"] as const;

export const saveProfile = (changes: { firstName: string; lastName: string; username: string }) =>
  withSession(() => postJson<{ profile: AccountProfile }>("/api/account/profile", changes, { fields: PROFILE_FIELDS }));

export const checkUsername = (value: string, signal: AbortSignal) =>
  withSession(() => getJson<UsernameCheck>(`/api/account/username?${new URLSearchParams({ value }).toString()}`, { signal }));

/**
 * A request ../api.ts has no helper for (a multipart upload, a DELETE, a
 * PATCH) with the same result shape as its postJson: field errors for
 * `fields`, else a form error. `init.headers` (e.g. a Content-Type) are kept.
 */
export async function sendRequest<T>(url: string, init: RequestInit, fields: readonly string[]): Promise<ApiResult<T>> {
  let response: Response;
  try {
    const headers = { Accept: "application/json", ...(init.headers as Record<string, string> | undefined) };
    response = await fetch(url, { ...init, credentials: "same-origin", cache: "no-store", headers });
  } catch {
    return { ok: false, status: 0, fieldErrors: {}, formError: NETWORK_ERROR_MESSAGE, errors: [] };
  }
  const payload = (await response.json().catch(() => null)) as { errors?: ApiErrorItem[]; message?: string } | null;
  if (response.ok && payload) return { ok: true, status: response.status, data: payload as T };
  if (response.status === 429) {
    const message = payload?.message || rateLimitMessage(retryAfterSeconds(response.headers.get("Retry-After")));
    return { ok: false, status: 429, fieldErrors: {}, formError: message, errors: [] };
  }
  const errors = Array.isArray(payload?.errors) ? payload.errors : [];
  const fieldErrors: Record<string, string> = {};
  let formError: string | null = null;
  for (const item of errors) {
    if (item.field && fields.includes(item.field)) fieldErrors[item.field] ??= item.message;
    else formError ??= item.message;
  }
  if (!formError && Object.keys(fieldErrors).length === 0) formError = payload?.message || GENERIC_ERROR_MESSAGE;
  return { ok: false, status: response.status, fieldErrors, formError, errors };
}

export function uploadAvatar(file: File) {
  return withSession(() => {
    const form = new FormData();
    form.set("file", file, file.name);
    return sendRequest<{ profile: AccountProfile }>("/api/account/avatar", { method: "POST", body: form }, ["file"]);
  });
}

export const removeAvatar = () => withSession(() => sendRequest<{ profile: AccountProfile }>("/api/account/avatar", { method: "DELETE" }, []));
