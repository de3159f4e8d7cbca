import "server-only";
import type { NextRequest } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { enforceRateLimit, rulesForPath, type RateLimitRule } from "@/lib/ratelimit";
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
};

/**
 * Wraps a route handler: checks Origin on state-changing methods, applies the
 * route's rate limits (lib/ratelimit/rules.ts: per-IP before the body is read,
 * per-identifier once it is parsed), parses the body/query with a zod schema
 * (400 with field errors otherwise), runs the handler and maps any thrown
 * error to a response in one place.
 */
export function handler<TBody = undefined, TQuery = undefined>(
  schemas: Schemas<TBody, TQuery>,
  run: (context: HandlerContext<TBody, TQuery>) => Promise<Response>,
): (request: NextRequest) => Promise<Response> {
  return async (request) => {
    try {
      if (request.method !== "GET" && request.method !== "HEAD") assertSameOrigin(request);
      const rules = rulesForPath(request.nextUrl.pathname);
      await enforceIpRules(rules, request);
      const body = schemas.body ? parseWith(schemas.body, await readJsonBody(request)) : (undefined as TBody);
      await enforceIdentifierRules(rules, body);
      const query = schemas.query
        ? parseWith(schemas.query, Object.fromEntries(request.nextUrl.searchParams))
        : (undefined as TQuery);
      return await run({ request, body, query });
    } catch (error) {
      return errorResponse(error);
    }
  };
}

async function enforceIpRules(rules: readonly RateLimitRule[], request: NextRequest): Promise<void> {
  // No IP means no proxy and no Next server in front (direct handler calls): identifier rules still apply.
  const ip = clientIp(request);
  if (!ip) return;
  for (const rule of rules) if (rule.by === "ip") await enforceRateLimit(rule, ip);
}

async function enforceIdentifierRules(rules: readonly RateLimitRule[], body: unknown): Promise<void> {
  const identifier = identifierOf(body);
  if (!identifier) return;
  for (const rule of rules) if (rule.by === "identifier") await enforceRateLimit(rule, identifier);
}

/** The account identifier a request is about: the (validated) email field of its body, lower-cased. */
function identifierOf(body: unknown): string | null {
  if (typeof body !== "object" || body === null) return null;
  const value = (body as Record<string, unknown>).email ?? (body as Record<string, unknown>).emailAddress;
  return typeof value === "string" && value.trim() ? value.trim().toLowerCase() : null;
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
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().includes("application/json")) {
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
