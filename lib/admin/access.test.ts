import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { mintSessionToken } from "@/lib/session";
import { signedUpUser } from "@/test/fixtures";
import { CookieJar, ORIGIN, makeRequest } from "@/test/http";

/**
 * S8: only role=admin, checked in the DB, reaches the admin console. The
 * routes and pages are found from the file tree, so an admin route or page
 * added later without the check fails here.
 */
const root = path.resolve(__dirname, "../..");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function filesUnder(dir: string, name: string): string[] {
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute)) return [];
  return fs
    .readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name === name)
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

/** app/api/admin/users/[userId]/ban/route.ts -> /api/admin/users/user_nobody/ban and its params. */
function urlFor(file: string): { url: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const segments = path
    .dirname(file)
    .split(path.sep)
    .slice(1)
    .map((segment) => {
      const dynamic = segment.match(/^\[(\w+)\]$/);
      if (!dynamic) return segment;
      params[dynamic[1]!] = `${dynamic[1]}_nobody`;
      return params[dynamic[1]!];
    });
  return { url: `/${segments.join("/")}`, params };
}

type RouteModule = Partial<Record<(typeof METHODS)[number], (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>>>;

async function callEveryAdminRoute(jar: CookieJar | null, token?: string): Promise<{ route: string; status: number }[]> {
  const results: { route: string; status: number }[] = [];
  for (const file of filesUnder("app/api/admin", "route.ts")) {
    const routeModule = (await import(`@/${file.replace(/\.ts$/, "")}`)) as RouteModule;
    const { url, params } = urlFor(file);
    for (const method of METHODS) {
      const run = routeModule[method];
      if (!run) continue;
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      // An empty JSON body: a route that parsed it before checking who asks would answer 400, not 403.
      const request = makeRequest(url, { method, body: method === "GET" ? undefined : {}, jar: jar ?? undefined, headers });
      const response = await run(request, { params: Promise.resolve(params) });
      results.push({ route: `${method} ${url}`, status: response.status });
    }
  }
  return results;
}

async function tokenFor(user: { userId: string; role: "user" | "admin"; actorId?: string }): Promise<string> {
  const session = await db.session.findFirstOrThrow({ where: { userId: user.userId, status: "active" } });
  const { token } = await mintSessionToken(
    { userId: user.userId, sessionId: session.id, role: user.role, emailVerified: true, actorId: user.actorId ?? null },
    { issuer: ORIGIN, authorizedParty: ORIGIN },
  );
  return token;
}

describe("admin access (S8)", () => {
  it("finds the admin routes and pages to check", () => {
    expect(filesUnder("app/api/admin", "route.ts").length).toBeGreaterThan(5);
    expect(filesUnder("app/admin", "page.tsx").length).toBeGreaterThan(3);
  });

  it("every admin route answers 401 to a visitor without a session", async () => {
    const results = await callEveryAdminRoute(null);
    expect(results.filter((result) => result.status !== 401)).toEqual([]);
  });

  it("every admin route answers 403 to a signed-in user who is not an admin", async () => {
    const user = await signedUpUser();
    const results = await callEveryAdminRoute(user.jar);
    expect(results.length).toBeGreaterThan(5);
    expect(results.filter((result) => result.status !== 403)).toEqual([]);
  });

  it("checks the role in the DB: a token still saying role=admin after a demotion is refused", async () => {
    const former = await signedUpUser();
    await db.user.update({ where: { id: former.userId }, data: { role: "admin" } });
    const token = await tokenFor({ userId: former.userId, role: "admin" });
    await db.user.update({ where: { id: former.userId }, data: { role: "user" } });
    const results = await callEveryAdminRoute(null, token);
    expect(results.filter((result) => result.status !== 403)).toEqual([]);
  });

  it("an impersonation token (act.sub set) never reaches an admin route, even one naming an admin", async () => {
    const admin = await signedUpUser();
    await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
    const other = await signedUpUser();
    const token = await tokenFor({ userId: admin.userId, role: "admin", actorId: other.userId });
    const results = await callEveryAdminRoute(null, token);
    expect(results.filter((result) => result.status !== 403)).toEqual([]);
  });

  it("an admin's token gets past the check (the routes are not simply closed)", async () => {
    const admin = await signedUpUser();
    await db.user.update({ where: { id: admin.userId }, data: { role: "admin" } });
    const token = await tokenFor({ userId: admin.userId, role: "admin" });
    const results = await callEveryAdminRoute(null, token);
    expect(results.filter((result) => result.status === 401 || (result.status === 403 && result.route.startsWith("GET")))).toEqual([]);
  });

  it("every admin page and layout checks the admin in the DB itself (requireAdmin), not only through a parent layout", () => {
    const files = [...filesUnder("app/admin", "page.tsx"), ...filesUnder("app/admin", "layout.tsx")];
    const unchecked = files.filter((file) => !/await requireAdmin\(\)/.test(fs.readFileSync(path.join(root, file), "utf8")));
    expect(unchecked).toEqual([]);
  });
});
