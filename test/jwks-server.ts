import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { getPublicJwks } from "@/lib/session";

/**
 * Middleware fetches the JWKS over HTTP, as in production. In tests a real
 * local server publishes the instance's real public keys, and AUTH_JWKS_URL
 * points middleware at it for the file's lifetime. `fetches()` counts requests.
 */
export function serveJwksForMiddleware(): { fetches: () => number } {
  let server: http.Server;
  let count = 0;
  beforeAll(async () => {
    server = http.createServer(async (_request, response) => {
      count += 1;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(await getPublicJwks()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    process.env.AUTH_JWKS_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => {
    delete process.env.AUTH_JWKS_URL;
    server.close();
  });
  return { fetches: () => count };
}
