import "server-only";
import { z } from "zod";
import { apiErrorsSchema, API_ERROR_STATUSES, type ApiErrorStatus } from "./errors";
import { API_MAX_BODY_BYTES, API_RATE_LIMIT } from "./handler";
import type { ApiOperation } from "./operation";

type JsonObject = Record<string, unknown>;

/**
 * Zod schemas -> JSON Schema 2020-12 (what OpenAPI 3.1 uses) with zod 4's own
 * `z.toJSONSchema`. Schemas with an `id` in their metadata (the resources in
 * lib/api/v1/schemas.ts) become `components.schemas` entries and `$ref`s.
 * Requests are described as they are accepted (`io: "input"`: before
 * defaults and transforms), responses as they are sent.
 */
class SchemaConverter {
  readonly components: Record<string, JsonObject> = {};

  convert(schema: z.ZodType, io: "input" | "output"): JsonObject {
    const generated = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any" }) as JsonObject;
    const { $schema: _dialect, $defs, ...root } = generated;
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonObject>)) {
      const rewritten = rewriteRefs(definition) as JsonObject;
      const existing = this.components[id];
      if (existing && JSON.stringify(existing) !== JSON.stringify(rewritten)) {
        throw new Error(`Two different schemas are both called "${id}" (or one is used as a request and a response with different shapes).`);
      }
      this.components[id] = rewritten;
    }
    return rewriteRefs(root) as JsonObject;
  }
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === "$ref" && typeof inner === "string" ? inner.replace(/^#\/\$defs\//, "#/components/schemas/") : rewriteRefs(inner),
    ]),
  );
}

/** An object schema's properties as OpenAPI parameters (`in: path` or `query`), descriptions lifted to the parameter. */
function parametersOf(converter: SchemaConverter, schema: z.ZodType, location: "path" | "query"): JsonObject[] {
  const json = converter.convert(schema, "input");
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, JsonObject>).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === "path" || required.has(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}

const errorResponse = (status: ApiErrorStatus) => ({ $ref: `#/components/responses/Error${status}` });

export type OpenApiInfo = { title: string; version: string; description: string; serverUrl: string };

/**
 * The OpenAPI 3.1 document of a list of operations, built from the zod
 * schemas their handlers parse with (never written by hand). Every response
 * an operation can give is listed: its result, the errors it names, 400 when
 * it parses a query or body, and 401/429 when it needs a secret key.
 */
export function buildOpenApiDocument(operations: readonly ApiOperation[], info: OpenApiInfo): JsonObject {
  const converter = new SchemaConverter();
  const errorsSchema = converter.convert(apiErrorsSchema, "output");
  const paths: Record<string, Record<string, JsonObject>> = {};
  const tags = new Set<string>();

  for (const operation of operations) {
    tags.add(operation.tag);
    const keyed = operation.auth !== "none";
    const errorStatuses = new Set<ApiErrorStatus>(operation.errors ?? []);
    if (operation.query || operation.body) errorStatuses.add(400);
    if (operation.body) {
      errorStatuses.add(413);
      errorStatuses.add(415);
    }
    if (operation.params) errorStatuses.add(404);
    if (keyed) {
      errorStatuses.add(401);
      errorStatuses.add(429);
    }
    const responses: Record<string, unknown> = {
      [String(operation.successStatus ?? 200)]: {
        description: operation.summary,
        content: { "application/json": { schema: converter.convert(operation.response, "output") } },
      },
    };
    for (const status of [...errorStatuses].sort()) responses[String(status)] = errorResponse(status);

    const parameters = [
      ...(operation.params ? parametersOf(converter, operation.params, "path") : []),
      ...(operation.query ? parametersOf(converter, operation.query, "query") : []),
    ];
    (paths[operation.path] ??= {})[operation.method.toLowerCase()] = {
      operationId: operation.operationId,
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      tags: [operation.tag],
      ...(keyed ? {} : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(operation.body
        ? { requestBody: { required: true, content: { "application/json": { schema: converter.convert(operation.body, "input") } } } }
        : {}),
      responses,
    };
  }

  const errorResponses = Object.fromEntries(
    (Object.keys(API_ERROR_STATUSES) as unknown as ApiErrorStatus[]).map((status) => [
      `Error${status}`,
      {
        description: API_ERROR_STATUSES[status],
        ...(Number(status) === 429
          ? { headers: { "Retry-After": { description: "Seconds until the key may call again.", schema: { type: "integer", minimum: 1 } } } }
          : {}),
        content: { "application/json": { schema: errorsSchema } },
      },
    ]),
  );

  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: info.serverUrl }],
    security: [{ secretKey: [] }],
    tags: [...tags].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        secretKey: {
          type: "http",
          scheme: "bearer",
          description: "A secret key from /admin/api-keys: `Authorization: Bearer sk_live_...`.",
        },
      },
      schemas: converter.components,
      responses: errorResponses,
    },
  };
}

/** The facts docs/api.md states too, for the document's description. */
export const API_LIMITS_DESCRIPTION = `Rate limit: ${API_RATE_LIMIT.limit} requests per ${API_RATE_LIMIT.windowSeconds} s per key (429 with Retry-After). Bodies: JSON, at most ${API_MAX_BODY_BYTES / 1024} KB.`;
