import http from "node:http";
import type { AddressInfo } from "node:net";
import { getPublicJwks } from "@/lib/session";

/**
 * The portal's JWKS as another app sees it: the test database's live public
 * keys (`getPublicJwks()`, the same data /.well-known/jwks.json serves) over
 * real HTTP on 127.0.0.1. `fetches()` counts requests, so tests can show that
 * verification is networkless once the keys are cached.
 */
export async function serveLiveJwks(): Promise<{ url: string; fetches: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = http.createServer(async (_request, response) => {
    count += 1;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(await getPublicJwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    fetches: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
