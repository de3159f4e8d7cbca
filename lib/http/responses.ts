import { NextResponse } from "next/server";
import { AppError, type FieldErrors } from "@/lib/errors";
import { DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "@/lib/database-unavailable";

export type ApiError = { code: string; message: string; field?: string };

export function json<T>(body: T, init?: ResponseInit): NextResponse {
  return NextResponse.json(body, { ...init, headers: { "Cache-Control": "no-store", ...init?.headers } });
}

function fieldErrorList(code: string, fields: FieldErrors): ApiError[] {
  return Object.entries(fields).flatMap(([field, messages]) => messages.map((message) => ({ code, message, field })));
}

/**
 * The single place an error becomes an HTTP response. Unknown errors are
 * logged and answered with a generic 500 body: never a stack trace.
 */
export function errorResponse(error: unknown): NextResponse {
  if (error instanceof AppError) {
    const errors: ApiError[] = error.fields ? fieldErrorList(error.code, error.fields) : [];
    if (errors.length === 0) errors.push({ code: error.code, message: error.message });
    const headers: Record<string, string> = {};
    if (error.retryAfter !== undefined) headers["Retry-After"] = String(Math.max(1, Math.ceil(error.retryAfter)));
    if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer error="invalid_token"';
    return json({ errors, message: error.message }, { status: error.status, headers });
  }
  if (isDatabaseUnavailable(error)) {
    // Not a bug: the database is restarting or out of reach. One line, no stack; the client may retry.
    const detail = error instanceof Error ? error.message.split("\n").filter(Boolean).pop() : String(error);
    console.error(`[portal] database unavailable: ${detail}`);
    return json(
      { errors: [{ code: "unavailable", message: "The service is briefly unavailable. Please try again in a moment." }] },
      { status: 503, headers: { "Retry-After": String(DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS) } },
    );
  }
  console.error("[portal] unexpected error", error);
  return json({ errors: [{ code: "internal_error", message: "Something went wrong. Please try again." }] }, { status: 500 });
}
