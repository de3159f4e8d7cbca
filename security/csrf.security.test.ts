import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { ORIGIN } from "@/test/http";
import { MUTATING_METHODS, discoverRoutes } from "./routes";

/**
 * S10 CSRF: every state-changing handler refuses a cross-origin browser
 * request with 403 before doing anything. Routes are discovered from app/.
 */
const routes = await discoverRoutes();
/**
 * Machine endpoints authenticated by a bearer secret (`handler({ caller: "bearer" })`):
 * no browser attaches that secret by itself, so a cross-site page cannot use them;
 * they are checked for the secret instead (app/api/cron/outbox/route.test.ts).
 */
const BEARER_ROUTES = new Set(["/api/cron/outbox"]);
/**
 * The backend API (S9): every route authenticates a secret key (`Authorization: Bearer sk_live_...`,
 * lib/api `apiHandler`) before anything else, and reads no cookie (app/api/v1/v1.test.ts).
 */
const isBackendApi = (path: string) => path.startsWith("/api/v1/");
/**
 * An identity provider's cross-site form POST (OAuth `response_mode=form_post`,
 * Apple): it comes from the provider's origin by design, so no Origin check.
 * The POST changes nothing and sets no cookie: it only 303s to the callback's
 * GET, where state, PKCE and the SameSite=Lax flow cookie refuse a forged or
 * replayed answer (lib/oauth/apple.test.ts › refuses a form post whose state
 * is not this browser's flow). Checked below: other providers get 404.
 */
const PROVIDER_FORM_POST_ROUTES = new Set(["POST /api/auth/oauth/sample_provider/callback"]);
const mutating = routes
  .filter((route) => !BEARER_ROUTES.has(route.path) && !isBackendApi(route.path))
  .flatMap((route) =>
    Object.entries(route.methods)
      .filter(([method]) => MUTATING_METHODS.has(method) && !PROVIDER_FORM_POST_ROUTES.has(`${method} ${route.path}`))
      .map(([method, run]) => ({ path: route.path, method, run: run! })),
  );

function crossSite(path: string, method: string, headers: Record<string, string>) {
  return new NextRequest(new URL(path, ORIGIN), {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email: "victim@example.com", password: "x", scope: "all" }),
  });
}

describe("CSRF: cross-origin POST to each mutating route -> 403", () => {
  it("exempts only bearer-secret machine routes, which exist", () => {
    expect(routes.map((route) => route.path)).toEqual(expect.arrayContaining([...BEARER_ROUTES]));
  });

  it("exempts a provider's form post only where it exists, and it changes nothing for a provider that does not answer by form post", async () => {
    for (const entry of PROVIDER_FORM_POST_ROUTES) {
      const [method, path] = entry.split(" ") as [string, string];
      const run = routes.find((route) => route.path === path)?.methods[method];
      expect(run, entry).toBeDefined();
      const response = await run!(
        new NextRequest(new URL(path, ORIGIN), {
          method,
          headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
          body: "code=attacker-code&state=attacker-state",
        }),
      );
      expect(response.status).toBe(404);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });

  it("found the mutating routes", () => {
    expect(mutating.map((route) => route.path)).toEqual(expect.arrayContaining(["/api/auth/sign-in", "/api/auth/sign-up", "/api/auth/sign-out", "/api/auth/session/refresh"]));
  });

  for (const { path, method, run } of mutating) {
    it(`${method} ${path}`, async () => {
      const sameOriginWithoutOrigin = await run(crossSite(path, method, { "sec-fetch-site": "same-origin" }));
      expect(await sameOriginWithoutOrigin.text()).not.toContain("origin_mismatch");
      const attempts: Record<string, string>[] = [
        { origin: "https://evil.example" },
        { origin: "null" }, // sandboxed iframes and some redirects send this
        { origin: "http://localhost:3000.evil.example" },
        { "sec-fetch-site": "cross-site" }, // a browser that omitted Origin but marked the request cross-site
        {}, // no Origin and no Sec-Fetch-Site: nothing vouches for it, so it is refused too
        { "sec-fetch-site": "same-site" }, // a sibling subdomain is not our origin
      ];
      for (const headers of attempts) {
        const response = await run(crossSite(path, method, headers));
        expect(response.status, JSON.stringify(headers)).toBe(403);
        expect((await response.json()).errors[0].code).toBe("origin_mismatch");
      }
      // Control: the same request from our own origin is not refused for its origin.
      const own = await run(crossSite(path, method, { origin: ORIGIN }));
      const body = await own.text();
      expect(body).not.toContain("origin_mismatch");
    });
  }
});

describe("CSRF: server actions", () => {
  it('every "use server" module checks the origin first (assertSameOriginAction)', async () => {
    const { execFileSync } = await import("node:child_process");
    let files: string[] = [];
    try {
      files = execFileSync("grep", ["-rlE", "^\\s*[\"']use server[\"']", "app", "lib", "--include=*.ts", "--include=*.tsx"], { encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
    } catch {
      files = []; // grep exits 1 when nothing matches: no server actions today
    }
    const fs = await import("node:fs");
    const unchecked = files.filter((file) => !fs.readFileSync(file, "utf8").includes("assertSameOriginAction("));
    expect(unchecked).toEqual([]);
  });
});
