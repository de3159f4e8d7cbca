import fs from "node:fs";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { V1_OPERATIONS } from "@/lib/api";
import { ORIGIN, makeRequest } from "@/test/http";
import { middleware } from "@/middleware";
import { GET as openApiRoute } from "./openapi.json/route";

const root = path.resolve(__dirname, "../../..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** Every app/api/v1 route file: its OpenAPI path ("[user_id]" -> "{user_id}") and the methods it exports. */
async function v1Routes(): Promise<{ file: string; path: string; methods: string[] }[]> {
  const dir = path.join(root, "app/api/v1");
  const files = fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === "route.ts")
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
  return Promise.all(
    files.map(async (file) => {
      const routeModule = (await import(/* @vite-ignore */ `@/${file.replace(/\.ts$/, "")}`)) as Record<string, unknown>;
      const segments = path.dirname(file).split(path.sep).slice(3);
      const apiPath = `/${segments.map((segment) => segment.replace(/^\[(\w+)\]$/, "{$1}")).join("/")}`;
      return { file, path: apiPath, methods: METHODS.filter((method) => typeof routeModule[method] === "function") };
    }),
  );
}

async function fetchDocument() {
  const response = await openApiRoute(makeRequest("/api/v1/openapi.json"), { params: Promise.resolve({}) });
  expect(response.status).toBe(200);
  return (await response.json()) as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: Record<string, Record<string, unknown>> };
}

describe("GET /api/v1/openapi.json (S9)", () => {
  it("is public (no key) and a valid OpenAPI 3.1 document by @apidevtools/swagger-parser", async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe("3.1.0");
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it("lists every route and method in app/api/v1, and nothing that is not there", async () => {
    const document = await fetchDocument();
    const routes = await v1Routes();
    expect(routes.length).toBeGreaterThanOrEqual(12);
    const missing = routes.flatMap((route) =>
      route.methods.filter((method) => !document.paths[route.path]?.[method.toLowerCase()]).map((method) => `${method} ${route.path} (${route.file})`),
    );
    expect(missing).toEqual([]);
    const documented = Object.entries(document.paths).flatMap(([apiPath, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${apiPath}`));
    const served = routes.flatMap((route) => route.methods.map((method) => `${method} ${route.path}`));
    expect(documented.sort()).toEqual(served.sort());
    expect(V1_OPERATIONS).toHaveLength(documented.length);
  });

  it("describes parameters, bodies, responses and the error shape from the handlers' zod schemas, with bearer security", async () => {
    const document = await fetchDocument();
    expect(document.components.securitySchemes).toEqual({ secretKey: expect.objectContaining({ type: "http", scheme: "bearer" }) });
    const createUser = document.paths["/users"]!.post!;
    expect(createUser.requestBody).toMatchObject({
      content: { "application/json": { schema: { required: ["email_address"], additionalProperties: false, properties: { email_address: { type: "string" } } } } },
    });
    expect(Object.keys(createUser.responses as object).sort()).toEqual(["201", "400", "401", "409", "413", "415", "422", "429"]);
    expect(document.components.schemas!.User).toMatchObject({ properties: { id: { type: "string" }, public_metadata: { type: "object" } } });
    expect(document.components.schemas!.Error).toMatchObject({ required: ["code", "message", "longMessage"] });
    const getUser = document.paths["/users/{user_id}"]!.get!;
    expect(getUser.parameters).toEqual([expect.objectContaining({ name: "user_id", in: "path", required: true })]);
    const listUsers = document.paths["/users"]!.get!;
    expect((listUsers.parameters as { name: string }[]).map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(["query", "banned", "cursor", "limit", "created_after"]),
    );
    // The document itself needs no key.
    expect(document.paths["/openapi.json"]!.get!.security).toEqual([]);
  });
});

describe("middleware and /api/v1 (S9)", () => {
  const visit = (apiPath: string, headers: Record<string, string> = {}) => middleware(new NextRequest(new URL(apiPath, ORIGIN), { headers }));
  const passedThrough = (response: Response) => response.headers.get("x-middleware-next") === "1";

  it("lets an sk_ bearer through to the handler's key check instead of answering with the session 401", async () => {
    const key = `sk_live_${"a".repeat(43)}`;
    for (const apiPath of ["/api/v1/users", "/api/v1/users/user_1/ban", "/api/v1/openapi.json"]) {
      const response = await visit(apiPath, { authorization: `Bearer ${key}` });
      expect(passedThrough(response), apiPath).toBe(true);
    }
    // Still the session 401 for the portal's own API.
    expect((await visit("/api/auth/session", { authorization: `Bearer ${key}` })).status).toBe(401);
  });
});
