import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { getPublicJwks } from "@/lib/session";

/** What the server does with a request: publish the keys, answer 503, or drop the connection unanswered. */
export type JwksAnswer = "keys" | "503" | "drop";

/**
 * Middleware fetches the JWKS over HTTP, as in production. In tests a real
 * local server publishes the instance's real public keys, and AUTH_JWKS_URL
 * points middleware at it for the file's lifetime. `fetches()` counts requests;
 * `answer()` takes the server down (or back up); `useNewUrl()` points
 * AUTH_JWKS_URL at a new URL of the same server, so middleware starts a new
 * key set with nothing cached.
 */
export function serveJwksForMiddleware(): {
  fetches: () => number;
  answer: (answer: JwksAnswer) => void;
  useNewUrl: () => void;
} {
  let server: http.Server;
  let count = 0;
  let urls = 0;
  let current: JwksAnswer = "keys";
  let base = "";
  beforeAll(async () => {
    server = http.createServer(async (request, response) => {
      count += 1;
      if (current === "drop") return request.socket.destroy();
      if (current === "503") return response.writeHead(503).end();
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(await getPublicJwks()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    process.env.AUTH_JWKS_URL = base;
  });
  afterAll(() => {
    delete process.env.AUTH_JWKS_URL;
    server.close();
  });
  return {
    fetches: () => count,
    answer: (answer) => {
      current = answer;
    },
    useNewUrl: () => {
      urls += 1;
      process.env.AUTH_JWKS_URL = `${base}?set=${urls}`;
    },
  };
}
