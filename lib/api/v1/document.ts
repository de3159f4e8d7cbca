import "server-only";
import { buildOpenApiDocument, API_LIMITS_DESCRIPTION } from "../openapi";
import { V1_OPERATIONS } from "./operations";

let cached: Record<string, unknown> | undefined;

/** The v1 OpenAPI document (GET /api/v1/openapi.json), built once per process from the operations' zod schemas. */
export function v1OpenApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApiDocument(V1_OPERATIONS, {
    title: "Auth portal backend API",
    version: "1.0.0",
    description: `Server-to-server API for the team's other apps (users, sessions, tokens, impersonation links), authenticated with a secret key. Errors use Clerk's shape: { "errors": [{ "code", "message", "longMessage", "meta": { "paramName" } }] }. ${API_LIMITS_DESCRIPTION} Guide: docs/api.md.`,
    serverUrl: "/api/v1",
  });
  return cached;
}
