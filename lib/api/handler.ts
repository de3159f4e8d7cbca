import "server-only";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { authenticateApiKey, type AuthenticatedApiKey } from "@/lib/api-keys";
import { AppError } from "@/lib/errors";
import { clientIp, json, mediaType, readAtMost } from "@/lib/http";
import { enforceRateLimit, refundCharges, withChargeLedger, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import { apiError, apiErrorResponse, apiParamName, ApiError, type ApiErrorItem } from "./errors";
import type { ApiOperation } from "./operation";

/**
 * Bodies above this are refused (413) before parsing. Larger than the browser
 * routes' 16 KB: a user may come with three metadata objects of 8 KB each.
 */
export const API_MAX_BODY_BYTES = 64 * 1024;

/** Per secret key (lib/ratelimit/rules.ts `apiPerKey`): documented in docs/api.md. */
export const API_RATE_LIMIT = RATE_LIMIT_RULES.apiPerKey;

/** Who did it, for the audit log: the key (its id is the actor), from where. */
export type ApiActor = { actorId: string; ip: string | null; userAgent: string | null };

export type ApiContext<TParams, TQuery, TBody> = {
  request: NextRequest;
  /** The secret key the request authenticated with (an empty placeholder for `auth: "none"` operations). */
  key: AuthenticatedApiKey;
  actor: ApiActor;
  params: TParams;
  query: TQuery;
  body: TBody;
};

/** What Next passes a route handler besides the request. */
export type RouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * Wraps an /api/v1 route handler (S9). In order: the secret key
 * (`Authorization: Bearer sk_live_...`, 401 otherwise), the key's rate limit
 * (429 with Retry-After), path parameters (404 when one cannot be an id),
 * query and JSON body parsed with the operation's zod schemas (400 naming the
 * parameter), then `run`, whose result is sent as JSON. Every failure leaves
 * in Clerk's error shape (lib/api/errors.ts), never as a trace.
 *
 * Servers call this API, so there is no Origin check (no browser cookie is
 * ever read here: the key is the only credential).
 */
export function apiHandler<TParams, TQuery, TBody, TResponse>(
  operation: ApiOperation<TParams, TQuery, TBody, TResponse>,
  run: (context: ApiContext<TParams, TQuery, TBody>) => Promise<TResponse>,
): (request: NextRequest, context: RouteContext) => Promise<Response> {
  return (request, routeContext) =>
    withChargeLedger(async () => {
      try {
        const key =
          operation.auth === "none" ? ({ id: "", name: "" } satisfies AuthenticatedApiKey) : await authenticateApiKey(request.headers.get("authorization"));
        if (operation.auth !== "none") await enforceRateLimit(API_RATE_LIMIT, key.id, Date.now, "Too many requests with this API key.");
        const params = operation.params
          ? parseParams(operation.params, await (routeContext?.params ?? Promise.resolve({})))
          : (undefined as TParams);
        const query = operation.query ? parseInput(operation.query, Object.fromEntries(request.nextUrl.searchParams)) : (undefined as TQuery);
        const body = operation.body ? parseInput(operation.body, await readJsonBody(request)) : (undefined as TBody);
        const actor = { actorId: key.id, ip: clientIp(request), userAgent: request.headers.get("user-agent") };
        const result = await run({ request, key, actor, params, query, body });
        return json(result, { status: operation.successStatus ?? 200 });
      } catch (error) {
        // Failed on our side: the key's budget counts what its caller did, not our outages.
        if (!(error instanceof AppError) && !(error instanceof ApiError)) await refundCharges();
        return apiErrorResponse(error, operation.paramNames);
      }
    });
}

/** A path parameter that does not parse names nothing that exists: 404, like an unknown id. */
function parseParams<T>(schema: z.ZodType<T>, raw: Record<string, string | string[]>): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const paramName = String(result.error.issues[0]?.path[0] ?? "id");
  throw apiError(404, "resource_not_found", `No resource with this ${paramName}.`, { message: "not found", paramName });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Zod issues as Clerk's form_param_* errors, one per problem, each naming its parameter. */
export function issuesToApiErrors(issues: readonly z.core.$ZodIssue[], input: unknown): ApiErrorItem[] {
  return issues.flatMap((issue): ApiErrorItem[] => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const paramName = path ? `${path}.${key}` : key;
        return { code: "form_param_unknown", message: "is unknown", longMessage: `${paramName} is not a valid parameter for this request.`, meta: { paramName } };
      });
    }
    if (!path) return [{ code: "malformed_request_body", message: "malformed request body", longMessage: `The request body must be a JSON object: ${issue.message}` }];
    if (issue.code === "invalid_type" && valueAt(input, issue.path) === undefined) {
      return [{ code: "form_param_missing", message: "missing required parameter", longMessage: `${path} must be included.`, meta: { paramName: path } }];
    }
    return [{ code: "form_param_format_invalid", message: "is invalid", longMessage: `${path}: ${issue.message}`, meta: { paramName: path } }];
  });
}

function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError(400, issuesToApiErrors(result.error.issues, input));
}

async function readJsonBody(request: NextRequest): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  // No body at all is an empty object: `POST /users/{id}/ban` with nothing to say needs no `{}`.
  if (request.body === null || (request.headers.has("content-length") && declared === 0)) return {};
  if (mediaType(request.headers.get("content-type")) !== "application/json") {
    throw apiError(415, "unsupported_media_type", "Send the request body as application/json.", { message: "unsupported media type" });
  }
  const tooLarge = () => apiError(413, "request_body_too_large", `The request body must be at most ${API_MAX_BODY_BYTES / 1024} KB.`, { message: "request body too large" });
  if (declared > API_MAX_BODY_BYTES) throw tooLarge();
  const bytes = await readAtMost(request.body, API_MAX_BODY_BYTES);
  if (!bytes) throw tooLarge();
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw apiError(400, "malformed_request_body", "The request body is not valid JSON.", { message: "malformed request body" });
  }
}


