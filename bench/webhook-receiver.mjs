#!/usr/bin/env node
// A webhook receiver for the fan-out benchmark (issue 14), run as its own
// process so it never shares an event loop with the load generator or the
// portal. It does what docs/webhooks.md tells a receiver to do: read the raw
// body, verify the signature with the official `svix` package, store the
// event once by its `svix-id` (INSERT ... ON CONFLICT DO NOTHING into its own
// table), answer 204. It also counts deliveries by `svix-id` so the harness
// sees duplicates.
//
//   node bench/webhook-receiver.mjs <database url>   prints {"port":N} once listening
//   POST /configure {"secret"}  -> the endpoint's whsec_ secret
//   GET /stats   -> { received, unique, duplicates, rejected, firstAt, lastAt }
//   POST /reset  -> clears the counters and the stored events
import http from "node:http";
import pg from "pg";
import { Webhook } from "svix";

const databaseUrl = process.argv[2];
if (!databaseUrl) throw new Error("usage: webhook-receiver.mjs <database url>");
const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
// An idle connection cut by a database restart (the soak harness restarts it) must not kill the receiver: the pool reconnects.
pool.on("error", (error) => console.error(`[webhook-receiver] idle connection lost: ${error.message}`));
await pool.query("CREATE TABLE IF NOT EXISTS bench_received_event (svix_id text PRIMARY KEY, type text NOT NULL, body jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())");
let verifier = null;
const CAPACITY_ID_PREFIX = "msg_capacity_";

let seen = new Set();
let counters = { received: 0, duplicates: 0, rejected: 0, firstAt: null, lastAt: null };

const server = http.createServer((request, response) => {
  if (request.method === "GET" && request.url === "/stats") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ ...counters, unique: seen.size }));
    return;
  }
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => void receive(request, response, Buffer.concat(chunks).toString("utf8")));
});

async function receive(request, response, body) {
  if (request.method === "POST" && request.url === "/configure") {
    verifier = new Webhook(JSON.parse(body).secret);
    response.writeHead(204).end();
    return;
  }
  if (request.method === "POST" && request.url === "/reset") {
    seen = new Set();
    counters = { received: 0, duplicates: 0, rejected: 0, firstAt: null, lastAt: null };
    await pool.query("TRUNCATE bench_received_event");
    response.writeHead(204).end();
    return;
  }
  let event;
  try {
    verifier.verify(body, {
      "svix-id": request.headers["svix-id"],
      "svix-timestamp": request.headers["svix-timestamp"],
      "svix-signature": request.headers["svix-signature"],
    });
    event = JSON.parse(body);
  } catch {
    counters.rejected++;
    response.writeHead(400).end();
    return;
  }
  const id = request.headers["svix-id"];
  try {
    await pool.query("INSERT INTO bench_received_event (svix_id, type, body) VALUES ($1, $2, $3) ON CONFLICT (svix_id) DO NOTHING", [id, event.type, body]);
  } catch {
    response.writeHead(500).end();
    return;
  }
  // The capacity probe's own requests (still in flight when a fan-out round resets) never count as deliveries.
  if (id.startsWith(CAPACITY_ID_PREFIX)) {
    response.writeHead(204).end();
    return;
  }
  counters.received++;
  if (seen.has(id)) counters.duplicates++;
  else seen.add(id);
  const now = Date.now();
  counters.firstAt ??= now;
  counters.lastAt = now;
  response.writeHead(204).end();
}
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: server.address().port })));
