import "server-only";
import type { NextRequest } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { enforceRateLimit, refundCharges, rulesForPath, withChargeLedger, type RateLimitRule } from "@/lib/ratelimit";
import { errorResponse } from "./responses";
import { assertSameOrigin } from "./origin";
import { clientIp } from "./request-info";
import { readAtMost } from "./read-capped";

/** Bodies larger than this are refused before parsing (S10). */
export const MAX_BODY_BYTES = 16 * 1024;

export type HandlerContext<TBody, TQuery, TAuth = undefined> = {
  request: NextRequest;
  body: TBody;
  query: TQuery;
  /** What `authorize` returned (e.g. the admin), when the route has one. */
  auth: TAuth;
};

/** A multipart/form-data body (file uploads) instead of JSON: see `Schemas.multipart`. */
export type MultipartBody = {
  /** Refused with 413 above this many bytes: from Content-Length before reading, else while reading. */
  maxBytes: number;
  /** The form field a 413 names, with its message (e.g. "file": "The image must be 2 MB or smaller."). */
  tooLarge?: { field: string; message: string };
};

type Schemas<TBody, TQuery, TAuth> = {
  body?: z.ZodType<TBody>;
  /**
   * Who may call the route, checked BEFORE the body is read: someone who may
   * not call it learns nothing from validation errors (admin routes:
   * `authorize: requireAdminRequest`). Throws an AppError to refuse.
   */
  authorize?: (request: NextRequest) => Promise<TAuth>;
  query?: z.ZodType<TQuery>;
  /**
   * "browser" (default): a state-changing request must come from our own pages
   * (Origin check, S10). "bearer": a machine endpoint authenticated by a secret
   * in the Authorization header (cron), which browsers never send by themselves.
   * "provider_form_post": an identity provider's page POSTs to us cross-site
   * (OAuth `response_mode=form_post`, Apple); no Origin check, so such a route
   * must change nothing itself (the OAuth callback only redirects to its GET).
   */
  caller?: "browser" | "bearer" | "provider_form_post";
  /**
   * Read the body as multipart/form-data (at most `maxBytes`) instead of JSON;
   * its fields (strings and Files, the last value of a repeated name) go
   * through `body` like a JSON body's. Origin check and rate limits are the same.
   */
  multipart?: MultipartBody;
  /** A JSON body may be this large instead of MAX_BODY_BYTES (admin settings with long allowlists). */
  maxBodyBytes?: number;
};

/**
 * Wraps a route handler: checks Origin on state-changing browser requests,
 * applies the route's per-IP rate limits (lib/ratelimit/rules.ts) before the
 * body is read, parses the body/query with a zod schema (400 with field
 * errors otherwise), runs the handler and maps any thrown error to a response
 * in one place. Per-identifier budgets are the domain's: it knows what a
 * request is about (lib/sign-in, lib/verification).
 */
export function handler<TBody = undefined, TQuery = undefined, TAuth = undefined>(
  schemas: Schemas<TBody, TQuery, TAuth>,
  run: (context: HandlerContext<TBody, TQuery, TAuth>) => Promise<Response>,
): (request: NextRequest) => Promise<Response> {
  return (request) =>
    withChargeLedger(async () => {
      try {
        const stateChanging = request.method !== "GET" && request.method !== "HEAD" && request.method !== "OPTIONS";
        if (stateChanging && (schemas.caller ?? "browser") === "browser") assertSameOrigin(request);
        await enforceIpRules(rulesForPath(request.nextUrl.pathname), request);
        const auth = schemas.authorize ? await schemas.authorize(request) : (undefined as TAuth);
        const body = schemas.body
          ? parseWith(
              schemas.body,
              schemas.multipart ? await readMultipartBody(request, schemas.multipart) : await readJsonBody(request, schemas.maxBodyBytes),
            )
          : (undefined as TBody);
        const query = schemas.query
          ? parseWith(schemas.query, Object.fromEntries(request.nextUrl.searchParams))
          : (undefined as TQuery);
        return await run({ request, body, query, auth });
      } catch (error) {
        // Failed on our side: give back what the request was charged (budgets count what the user did).
        if (!(error instanceof AppError)) await refundCharges();
        return errorResponse(error);
      }
    });
}

async function enforceIpRules(rules: readonly RateLimitRule[], request: NextRequest): Promise<void> {
  // No IP means no proxy and no Next server in front (direct handler calls in tests).
  const ip = clientIp(request);
  if (!ip) return;
  for (const rule of rules) if (rule.by === "ip") await enforceRateLimit(rule, ip);
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // No prototype: a body key such as "__proto__" or "constructor" must stay a plain field name.
  const fields: Record<string, string[]> = Object.create(null);
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) (fields[key] ??= []).push("Unknown field.");
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.join(".") : "_";
    (fields[field] ??= []).push(issue.message);
  }
  throw new AppError("validation_failed", "Some fields are invalid.", { fields });
}

async function readJsonBody(request: NextRequest, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  if (mediaType(request.headers.get("content-type")) !== "application/json") {
    throw new AppError("unsupported_media_type", "Send the request body as application/json.");
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("payload_too_large", "The request body is too large.");
  const text = new TextDecoder().decode(await readCapped(request, maxBytes));
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON.");
  }
}

async function readMultipartBody(request: NextRequest, options: MultipartBody): Promise<Record<string, FormDataEntryValue>> {
  const contentType = request.headers.get("content-type");
  if (mediaType(contentType) !== "multipart/form-data") {
    throw new AppError("unsupported_media_type", "Send the request body as multipart/form-data.");
  }
  const tooLarge = () =>
    new AppError(
      "payload_too_large",
      options.tooLarge?.message ?? "The request body is too large.",
      options.tooLarge ? { fields: { [options.tooLarge.field]: [options.tooLarge.message] } } : {},
    );
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > options.maxBytes) throw tooLarge();
  const bytes = await readCapped(request, options.maxBytes, tooLarge);
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(bytes), { headers: { "content-type": contentType! } }).formData();
  } catch {
    throw new AppError("validation_failed", "The form data could not be read.");
  }
  // No prototype: a field named "__proto__" stays a plain field name.
  const fields: Record<string, FormDataEntryValue> = Object.create(null);
  for (const [name, value] of form.entries()) fields[name] = value;
  return fields;
}

/**
 * The media type of a Content-Type header, parameters dropped: "application/json;
 * charset=utf-8" -> "application/json". A substring test would let
 * "text/plain; application/json" through, a type a cross-site form can send.
 */
export function mediaType(header: string | null): string | null {
  const essence = header?.split(";", 1)[0]?.trim().toLowerCase();
  return essence && /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+$/.test(essence) ? essence : null;
}

/** The body, or `tooLarge()` thrown past `limit` bytes (see readAtMost). */
async function readCapped(
  request: NextRequest,
  limit: number,
  tooLarge: () => AppError = () => new AppError("payload_too_large", "The request body is too large."),
): Promise<Buffer> {
  const body = await readAtMost(request.body, limit);
  if (!body) throw tooLarge();
  return body;
}
