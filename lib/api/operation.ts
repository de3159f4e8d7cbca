import type { z } from "zod";
import type { ApiErrorStatus } from "./errors";

export type ApiMethod = "GET" | "POST" | "PATCH" | "DELETE";

/**
 * One backend API operation (S9): its route, the zod schemas its handler
 * parses with, and what it answers. The route handler (`apiHandler`) and the
 * OpenAPI document (`buildOpenApiDocument`) both read it, so the document
 * cannot describe a request the handler would parse differently.
 */
export type ApiOperation<TParams = unknown, TQuery = unknown, TBody = unknown, TResponse = unknown> = {
  method: ApiMethod;
  /** Under /api/v1, OpenAPI style: "/users/{user_id}" (the folder is app/api/v1/users/[user_id]). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Path parameters (an object schema); a value that does not parse is a 404, as an unknown id is. */
  params?: z.ZodType<TParams>;
  /** Query string (an object schema; values arrive as strings). */
  query?: z.ZodType<TQuery>;
  /** JSON body (an object schema). */
  body?: z.ZodType<TBody>;
  response: z.ZodType<TResponse>;
  /** Default 200. */
  successStatus?: 200 | 201;
  /** Error statuses beyond those every operation can answer (400 when it parses input, 401 and 429 with a key). */
  errors?: readonly ApiErrorStatus[];
  /** Domain field names -> request parameter names, for errors' `meta.paramName` (default: camelCase -> snake_case). */
  paramNames?: Readonly<Record<string, string>>;
  /** "none": no secret key (the OpenAPI document itself). Default "secret_key". */
  auth?: "secret_key" | "none";
};

/** Identity with inference: the handler's parsed input and its result get their types from the schemas. */
export function defineOperation<TParams = undefined, TQuery = undefined, TBody = undefined, TResponse = unknown>(
  operation: ApiOperation<TParams, TQuery, TBody, TResponse>,
): ApiOperation<TParams, TQuery, TBody, TResponse> {
  return operation;
}
