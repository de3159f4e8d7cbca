/**
 * Browser-side helper for the portal's JSON route handlers. Turns every
 * outcome (success, field errors, rate limit, network failure) into one
 * result shape the forms can render. No dependencies beyond a pure helper:
 * it ships in the sign-in page's bundle.
 */
import { describeWait } from "@/lib/ratelimit/wait";

export type ApiErrorItem = { code: string; message: string; field?: string };

export type ApiFailure = {
  ok: false;
  status: number; // 0 for network failures
  /** First message per known field, e.g. { email: "Enter a valid email address." }. */
  fieldErrors: Record<string, string>;
  /** Message for the form-level alert, or null when field errors say it all. */
  formError: string | null;
  errors: ApiErrorItem[];
};

export type ApiResult<T> = { ok: true; status: number; data: T } | ApiFailure;

export const NETWORK_ERROR_MESSAGE = "Could not reach the server. Check your connection and try again.";
export const GENERIC_ERROR_MESSAGE = "Something went wrong. Please try again.";

/** Seconds from a Retry-After header (delta-seconds or HTTP date), or null. */
export function retryAfterSeconds(header: string | null): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Math.max(1, Number(value));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(1, Math.ceil((date - Date.now()) / 1000));
}

export function rateLimitMessage(seconds: number | null): string {
  if (seconds === null) return "Too many attempts. Try again in a little while.";
  return `Too many attempts. Try again in ${describeWait(seconds)}.`;
}

function isErrorItem(value: unknown): value is ApiErrorItem {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string";
}

type RequestOptions = { fields?: readonly string[]; signal?: AbortSignal };

/**
 * POST a JSON body to a same-origin route. `fields` lists the inputs the
 * caller renders: errors naming one of them go to that input, all others to
 * the form-level message.
 */
export function postJson<T>(url: string, body: unknown, options: RequestOptions = {}): Promise<ApiResult<T>> {
  return requestJson<T>(
    url,
    { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body ?? {}) },
    options,
  );
}

/** PATCH a JSON body to a same-origin route (partial updates, e.g. admin settings); same result shape as postJson. */
export function patchJson<T>(url: string, body: unknown, options: RequestOptions = {}): Promise<ApiResult<T>> {
  return requestJson<T>(
    url,
    { method: "PATCH", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body ?? {}) },
    options,
  );
}

/** GET a same-origin JSON route (e.g. the email sign-in status poll); same result shape as postJson. */
export function getJson<T>(url: string, options: RequestOptions = {}): Promise<ApiResult<T>> {
  return requestJson<T>(url, { headers: { Accept: "application/json" } }, options);
}

/** One fetch + error mapping for every call: network failure, 429 with Retry-After, field vs form errors. */
async function requestJson<T>(url: string, init: RequestInit, options: RequestOptions): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, credentials: "same-origin", cache: "no-store", signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    return { ok: false, status: 0, fieldErrors: {}, formError: NETWORK_ERROR_MESSAGE, errors: [] };
  }

  let payload: unknown = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }

  if (response.ok) {
    if (payload === null || typeof payload !== "object") {
      return { ok: false, status: response.status, fieldErrors: {}, formError: GENERIC_ERROR_MESSAGE, errors: [] };
    }
    return { ok: true, status: response.status, data: payload as T };
  }

  if (response.status === 429) {
    // The server says why and for how long ("Too many emails to this address. Try again in 8 minutes.").
    const serverMessage = (payload as { message?: unknown } | null)?.message;
    const message =
      typeof serverMessage === "string" && serverMessage
        ? serverMessage
        : rateLimitMessage(retryAfterSeconds(response.headers.get("Retry-After")));
    return { ok: false, status: 429, fieldErrors: {}, formError: message, errors: [] };
  }

  const record = (payload ?? {}) as { message?: unknown; errors?: unknown };
  const errors = Array.isArray(record.errors) ? record.errors.filter(isErrorItem) : [];
  const known = new Set(options.fields ?? []);
  const fieldErrors: Record<string, string> = {};
  const formMessages: string[] = [];
  for (const item of errors) {
    if (item.field && known.has(item.field)) {
      fieldErrors[item.field] ??= item.message;
    } else if (!formMessages.includes(item.message)) {
      formMessages.push(item.message);
    }
  }
  let formError: string | null = formMessages[0] ?? null;
  if (!formError && Object.keys(fieldErrors).length === 0) {
    formError = typeof record.message === "string" && record.message ? record.message : GENERIC_ERROR_MESSAGE;
  }
  return { ok: false, status: response.status, fieldErrors, formError, errors };
}

/** The machine-readable code of a failed call's first error (e.g. "verification_expired"), if any. */
export function errorCode(result: ApiFailure): string | null {
  return result.errors[0]?.code ?? null;
}

/** Full navigation (not a client-side transition) so middleware sees the new cookies. */
export function navigate(url: string): void {
  window.location.assign(url);
}

let refreshing: Promise<ApiResult<unknown>> | null = null;

/**
 * One token refresh at a time, however many calls found the token expired
 * together. Exported for navigations to signed-in API routes (a file
 * download): a link cannot retry after a 401, so it refreshes first.
 */
export function refreshSession(): Promise<ApiResult<unknown>> {
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
