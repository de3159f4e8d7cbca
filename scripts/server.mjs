#!/usr/bin/env node
// The production server behind `npm start` (and the e2e and bench harnesses):
// Next's documented custom server (`next({ dev: false })` + http.createServer)
// doing what `next start` does, plus one thing it cannot: every request's
// X-Forwarded-For gets the socket address appended, as a well-behaved proxy
// does. `next start` only fills the header when the client sent none, so a
// client that sends one hides its real address; here the last entry is always
// the real peer and lib/http/client-ip.ts walks back from it (S10).
//
//   node scripts/server.mjs [--port N | -p N] [--hostname H | -H H] [--keepAliveTimeout MS]
//
// Defaults as `next start`: PORT or 3000, every interface, Node's keep-alive.
// Its launchers (`npm start`, the e2e and bench harnesses) run it with a 1 GB V8
// heap limit unless NODE_OPTIONS sets one: scripts/lib/server-flags.mjs says why.
// SIGTERM/SIGINT stop accepting connections, finish in-flight requests, let
// the app shut down (lib/lifecycle: readiness 503, queue leases handed back,
// in-flight sends finished), close Next and exit 143/130.
import http from "node:http";
import { parseArgs } from "node:util";
import { ROOT } from "./lib/proc.mjs";

// What the `next` CLI sets before `next start` (bin/next): the app reads both.
process.env.NODE_ENV ||= "production";
process.env.NEXT_RUNTIME = "nodejs";

function fail(message) {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: "string", short: "p" },
      hostname: { type: "string", short: "H" },
      keepAliveTimeout: { type: "string" },
    },
  }));
} catch (error) {
  fail(`${error.message}\nUsage: node scripts/server.mjs [--port N] [--hostname H] [--keepAliveTimeout MS]`);
}
const port = Number(args.port ?? process.env.PORT ?? 3000);
const hostname = args.hostname; // undefined = every interface, like `next start`

if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`Invalid port: ${args.port ?? process.env.PORT}`);

// A bad trusted-proxy setting stops the server now, not at the first sign-in.
try {
  const { parseTrustedProxies } = await import("../lib/http/trusted-proxies.mjs");
  parseTrustedProxies(process.env.AUTH_TRUSTED_PROXIES);
} catch (error) {
  fail(error.message);
}

/** Appends the peer's address to X-Forwarded-For, so its last entry is always who connected. */
function appendSocketAddress(request) {
  const peer = request.socket.remoteAddress;
  if (!peer) return;
  const sent = request.headers["x-forwarded-for"];
  request.headers["x-forwarded-for"] = sent ? `${sent}, ${peer}` : peer;
}

const { default: next } = await import("next");
const app = next({ dev: false, dir: ROOT, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((request, response) => {
  appendSocketAddress(request);
  handle(request, response).catch((error) => {
    console.error(`Failed to handle request for ${request.url}`, error);
    if (!response.headersSent) response.statusCode = 500;
    response.end();
  });
});
if (args.keepAliveTimeout) server.keepAliveTimeout = Number(args.keepAliveTimeout);

server.on("error", (error) => fail(`Failed to start the server: ${error.message}`));
server.listen(port, hostname, () => {
  const shown = !hostname || hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
  console.log(`▲ Ready on http://${shown}:${server.address().port} (Next.js production server, scripts/server.mjs)`);
});

let stopping = false;
for (const [signal, status] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // The app's own shutdown (instrumentation.ts registers it) runs alongside: it waits for background sends.
    const appShutdown = globalThis[Symbol.for("portal.shutdown")];
    const began = Date.now();
    const background =
      typeof appShutdown === "function"
        ? Promise.resolve(appShutdown()).then(() => console.log(`▲ Background work settled in ${Date.now() - began} ms; shutting down`), console.error)
        : Promise.resolve(console.warn("▲ No app shutdown hook (instrumentation.ts did not run): queue leases are left to expire"));
    // Stop accepting and let in-flight requests finish (idle keep-alive sockets close), then Next.
    server.close(async (error) => {
      if (error) console.error(error);
      await background;
      await app.close().catch(console.error);
      process.exit(status);
    });
  });
}
