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

/**
 * app/api/auth/(group)/sign-in/route.ts -> /api/auth/sign-in. A dynamic
 * segment ([id]) gets a sample value, and its handlers are called with the
 * params Next would pass for that URL.
 */
function urlPath(file: string): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const segments = file
    .replace(/^\/app/, "")
    .replace(/\/route\.ts$/, "")
    .split("/")
    .filter((segment) => segment && !/^\(.*\)$/.test(segment))
    .map((segment) => {
      const name = segment.match(/^\[(\w+)\]$/)?.[1];
      if (!name) {
        if (segment.startsWith("[")) throw new Error(`catch-all route ${file}: teach security/routes.ts to fill its params`);
        return segment;
      }
      params[name] = `sample_${name}`;
      return params[name];
    });
  return { path: `/${segments.join("/")}`, params };
}

export async function discoverRoutes(): Promise<DiscoveredRoute[]> {
  const routes: DiscoveredRoute[] = [];
  for (const [file, load] of Object.entries(modules).sort(([a], [b]) => a.localeCompare(b))) {
    const module = await load();
    const { path, params } = urlPath(file);
    const methods: DiscoveredRoute["methods"] = {};
    for (const method of METHODS) {
      const run = module[method];
      if (typeof run !== "function") continue;
      methods[method] = (request, context) =>
        (run as RouteHandler)(request, context ?? { params: Promise.resolve(params) });
    }
    routes.push({ file, path, methods });
  }
  return routes;
}
