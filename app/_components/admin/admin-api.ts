import { postJson, withSession, type ApiResult } from "../api";

/**
 * Calls to the admin route handlers (app/api/admin/**). Every one goes through
 * `withSession`, so a token that expired while the page was open is refreshed
 * first; dangerous ones are wrapped in step-up by the caller (useStepUp).
 */
export function adminPost<T = unknown>(path: string, body: unknown = {}, fields?: readonly string[]): Promise<ApiResult<T>> {
  return withSession(() => postJson<T>(path, body, { fields }));
}

export const userPath = (userId: string, action: string) => `/api/admin/users/${encodeURIComponent(userId)}/${action}`;
