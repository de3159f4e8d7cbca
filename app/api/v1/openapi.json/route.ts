import { apiHandler, v1OpenApiDocument, V1 } from "@/lib/api";

export const dynamic = "force-dynamic";

/** GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the routes' zod schemas (public). */
export const GET = apiHandler(V1.getOpenApiDocument, async () => v1OpenApiDocument());
