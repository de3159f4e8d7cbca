import type { NextRequest } from "next/server";

/**
 * Every route handler under app/ (app/**\/route.ts), discovered at test time,
 * so a route added later is covered by the CSRF and fuzz suites without
 * anyone remembering to list it.
 */
export type RouteHandler = (request: NextRequest, context?: unknown) => Promise<Response> | Response;
export type DiscoveredRoute = { file: string; path: string; methods: Partial<Record<string, RouteHandler>> };

const modules = import.meta.glob<Record<string, unknown>>("/app/**/route.ts");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;
export const MUTATING_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** app/api/auth/(group)/sign-in/route.ts -> /api/auth/sign-in */
function urlPath(file: string): string {
  const segments = file
    .replace(/^\/app/, "")
    .replace(/\/route\.ts$/, "")
    .split("/")
    .filter((segment) => segment && !/^\(.*\)$/.test(segment));
  if (segments.some((segment) => segment.startsWith("["))) throw new Error(`dynamic route ${file}: teach security/routes.ts to fill its params`);
  return `/${segments.join("/")}`;
}

export async function discoverRoutes(): Promise<DiscoveredRoute[]> {
  const routes: DiscoveredRoute[] = [];
  for (const [file, load] of Object.entries(modules).sort(([a], [b]) => a.localeCompare(b))) {
    const module = await load();
    const methods: DiscoveredRoute["methods"] = {};
    for (const method of METHODS) if (typeof module[method] === "function") methods[method] = module[method] as RouteHandler;
    routes.push({ file, path: urlPath(file), methods });
  }
  return routes;
}
