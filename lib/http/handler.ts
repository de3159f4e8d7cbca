import "server-only";
import type { NextRequest } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { enforceRateLimit, refundCharges, rulesForPath, withChargeLedger, type RateLimitRule } from "@/lib/ratelimit";
import { errorResponse } from "./responses";
import { assertSameOrigin } from "./origin";
import { clientIp } from "./request-info";

/** Bodies larger than this are refused before parsing (S10). */
export const MAX_BODY_BYTES = 16 * 1024;

export type HandlerContext<TBody, TQuery> = {
  request: NextRequest;
  body: TBody;
  query: TQuery;
};

type Schemas<TBody, TQuery> = {
  body?: z.ZodType<TBody>;
  query?: z.ZodType<TQuery>;
  /**
   * "browser" (default): a state-changing request must come from our own pages
   * (Origin check, S10). "bearer": a machine endpoint authenticated by a secret
   * in the Authorization header (cron), which browsers never send by themselves.
   */
  caller?: "browser" | "bearer";
};

/**
 * Wraps a route handler: checks Origin on state-changing browser requests,
 * applies the route's per-IP rate limits (lib/ratelimit/rules.ts) before the
 * body is read, parses the body/query with a zod schema (400 with field
 * errors otherwise), runs the handler and maps any thrown error to a response
 * in one place. Per-identifier budgets are the domain's: it knows what a
 * request is about (lib/sign-in, lib/verification).
 */
export function handler<TBody = undefined, TQuery = undefined>(
  schemas: Schemas<TBody, TQuery>,
  run: (context: HandlerContext<TBody, TQuery>) => Promise<Response>,
): (request: NextRequest) => Promise<Response> {
  return (request) =>
    withChargeLedger(async () => {
      try {
        const stateChanging = request.method !== "GET" && request.method !== "HEAD" && request.method !== "OPTIONS";
        if (stateChanging && (schemas.caller ?? "browser") === "browser") assertSameOrigin(request);
        await enforceIpRules(rulesForPath(request.nextUrl.pathname), request);
        const body = schemas.body ? parseWith(schemas.body, await readJsonBody(request)) : (undefined as TBody);
        const query = schemas.query
          ? parseWith(schemas.query, Object.fromEntries(request.nextUrl.searchParams))
          : (undefined as TQuery);
        return await run({ request, body, query });
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

async function readJsonBody(request: NextRequest): Promise<unknown> {
  if (mediaType(request.headers.get("content-type")) !== "application/json") {
    throw new AppError("unsupported_media_type", "Send the request body as application/json.");
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new AppError("payload_too_large", "The request body is too large.");
  const text = await readCapped(request, MAX_BODY_BYTES);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The request body is not valid JSON.");
  }
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

/** Reads the body stream but stops at `limit` bytes, so a lying Content-Length cannot exhaust memory. */
async function readCapped(request: NextRequest, limit: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError("payload_too_large", "The request body is too large.");
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
