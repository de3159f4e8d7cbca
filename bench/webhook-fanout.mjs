#!/usr/bin/env node
// Focused micro-benchmark of the webhook fan-out (issue 14), without a
// production build or a server: the real drain (lib/background drainAll,
// loaded with jiti as scripts/admin.mjs does) runs in this process against a
// scratch database, delivering to bench/webhook-receiver.mjs in its own
// process, as `npm run bench` does. Per round: the receiver's capacity
// (autocannon, signed events, 64 connections), then N events queued in one
// insert and drained; prints delivered/s, the ratio and this process's CPU per
// delivery (the drain's own cost, far less noisy than throughput on a shared machine),
// and the CPU per delivery of the receiver and of the PostgreSQL backends serving
// each side (told apart by application_name), so the whole machine's cost is seen.
//
//   node bench/webhook-fanout.mjs [--events 1000] [--rounds 3] [--no-capacity] [--profile FILE.cpuprofile] [--async-contexts N]
//
// --async-contexts N runs each drain inside N enabled AsyncLocalStorage instances, as the
// production server does (Next keeps about nine enabled): on Node 20 every promise, timer,
// immediate and nextTick is then propagated through each, a large part of the server's CPU per delivery.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import inspector from "node:inspector/promises";
import { AsyncLocalStorage } from "node:async_hooks";
import { createJiti } from "jiti";
import pg from "pg";
import { createScratchDatabase } from "../scripts/lib/db.mjs";
import { start, stop } from "../scripts/lib/proc.mjs";
import { waitFor } from "../scripts/lib/net.mjs";
import { load } from "./lib/load.mjs";
import { svixSigner } from "./lib/svix-sign.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const flag = (name, fallback) => {
  const index = argv.indexOf(name);
  return index >= 0 ? Number(argv[index + 1]) : fallback;
};
const EVENTS = flag("--events", 1_000);
const ROUNDS = flag("--rounds", 3);
const withCapacity = !argv.includes("--no-capacity");
const ASYNC_CONTEXTS = flag("--async-contexts", 0);
const profileIndex = argv.indexOf("--profile");
const profileFile = profileIndex >= 0 ? argv[profileIndex + 1] : null;
const CONNECTIONS = 64;

/** CPU time of all threads of `pid` in µs, from /proc/<pid>/task/<tid>/schedstat (ns, not clock ticks). */
function cpuUs(pid) {
  let ns = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
  } catch {
    // the process or thread ended: counted up to its last reading
  }
  return ns / 1000;
}
const withApplicationName = (url, name) => {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", name);
  return parsed.toString();
};

const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres:postgres@localhost:5432/postgres";
const database = await createScratchDatabase(serverUrl, "portal_fanout");
let receiver = null;
let monitor = null;
try {
  const env = { ...process.env, DATABASE_URL: database.url };
  monitor = new pg.Client({ connectionString: withApplicationName(database.url, "fanout-monitor") });
  await monitor.connect();
  /** CPU so far of the PostgreSQL backends serving the portal and the receiver. */
  const backendCpu = async () => {
    const { rows } = await monitor.query("SELECT pid, application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name IN ('fanout-portal', 'fanout-receiver')");
    const total = { portal: 0, receiver: 0, pids: new Set(rows.map((row) => row.pid)) };
    for (const row of rows) total[row.application_name === "fanout-portal" ? "portal" : "receiver"] += cpuUs(row.pid);
    return total;
  };
  execFileSync(process.execPath, [path.join(ROOT, "node_modules", "prisma", "build", "index.js"), "migrate", "deploy"], { env, stdio: "pipe" });
  Object.assign(process.env, {
    DATABASE_URL: withApplicationName(database.url, "fanout-portal"),
    AUTH_SECRET: "fanout-bench-secret-fanout-bench-secret-0123",
    AUTH_URL: "http://localhost:3000",
    NODE_ENV: "production",
    OUTBOX_LOOP: "off",
    WEBHOOK_ALLOW_PRIVATE_URLS: "on",
  });

  receiver = start(process.execPath, [path.join(ROOT, "bench", "webhook-receiver.mjs"), withApplicationName(database.url, "fanout-receiver")], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
    let buffered = "";
    receiver.stdout.on("data", (chunk) => {
      buffered += chunk;
      const line = buffered.split("\n").find((candidate) => candidate.includes('"port"'));
      if (line) resolve(JSON.parse(line).port);
    });
    receiver.once("exit", (code) => reject(new Error(`webhook receiver exited (${code})`)));
  });
  const receiverUrl = `http://127.0.0.1:${port}`;

  const jiti = createJiti(import.meta.url, { alias: { "@": ROOT, "server-only": path.join(ROOT, "scripts", "lib", "empty-module.mjs") }, jsx: { runtime: "automatic" } });
  const { drainAll } = await jiti.import(path.join(ROOT, "lib", "background", "drain.ts"));
  const { createWebhookEndpoint, revealWebhookSecret, exampleEventData } = await jiti.import(path.join(ROOT, "lib", "webhooks", "index.ts"));
  const { newWebhookEvent, webhookRow } = await jiti.import(path.join(ROOT, "lib", "webhooks", "events.ts"));
  const { db } = await jiti.import(path.join(ROOT, "lib", "db.ts"));

  const endpoint = await createWebhookEndpoint({ url: `${receiverUrl}/webhook`, events: [] }, { actorId: "bench", ip: null, userAgent: "bench" });
  const { secret } = await revealWebhookSecret(endpoint.id);
  await fetch(`${receiverUrl}/configure`, { method: "POST", body: JSON.stringify({ secret }) });
  const sign = svixSigner(secret);
  const data = exampleEventData("user.updated");

  /** The receiver's capacity, and the CPU per request of the load generator (this process) and of the receiver's side. */
  const capacity = async () => {
    let n = 0;
    const before = { loadGen: process.cpuUsage(), receiver: cpuUs(receiver.pid), backends: await backendCpu() };
    const result = await load(
      {
        url: `${receiverUrl}/webhook`,
        connections: CONNECTIONS,
        duration: 4,
        requests: [
          {
            method: "POST",
            setupRequest: (request) => {
              const id = `msg_capacity_${++n}`;
              const timestamp = new Date();
              // The event the drain delivers (same data, so the same bytes to hash and store), with its own svix-id.
              const body = JSON.stringify({ type: "user.updated", object: "event", data, timestamp: timestamp.getTime() });
              const headers = { "content-type": "application/json", "svix-id": id, "svix-timestamp": String(Math.floor(timestamp.getTime() / 1000)), "svix-signature": sign(id, Math.floor(timestamp.getTime() / 1000), body) };
              return { ...request, body, headers };
            },
          },
        ],
      },
      { expect: 204, label: "receiver capacity" },
    );
    const loadGen = process.cpuUsage(before.loadGen);
    const receiverCpu = cpuUs(receiver.pid) - before.receiver;
    const backends = await backendCpu();
    const perRequest = (us) => Math.round(us / result.requests);
    return {
      okRps: result.okRps,
      loadGenCpuUsPerRequest: perRequest(loadGen.user + loadGen.system),
      receiverCpuUsPerRequest: perRequest(receiverCpu),
      receiverPgCpuUsPerRequest: perRequest(backends.receiver - before.backends.receiver),
    };
  };

  // Warm-up: jiti compiles, Prisma connects, sockets open.
  await db.outboxMessage.createMany({ data: Array.from({ length: 100 }, () => webhookRow(endpoint.id, newWebhookEvent("user.updated", data), new Date())) });
  await drainAll({ maxDurationMs: 60_000 });

  // --profile FILE: a CPU profile of the drains only (not the warm-up, jiti or autocannon).
  const session = profileFile ? new inspector.Session() : null;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
  }
  const results = [];
  const profiles = [];
  for (let round = 0; round < ROUNDS; round++) {
    await fetch(`${receiverUrl}/reset`, { method: "POST" });
    const measured = withCapacity ? await capacity() : null;
    const cap = measured?.okRps ?? null;
    await fetch(`${receiverUrl}/reset`, { method: "POST" });
    const now = new Date();
    await db.outboxMessage.createMany({ data: Array.from({ length: EVENTS }, () => webhookRow(endpoint.id, newWebhookEvent("user.updated", data, now), now)) });
    if (session) await session.post("Profiler.start");
    const backendsBefore = await backendCpu();
    const receiverBefore = cpuUs(receiver.pid);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let drain = () => drainAll({ maxDurationMs: 120_000 });
    for (let n = 0; n < ASYNC_CONTEXTS; n++) {
      const storage = new AsyncLocalStorage();
      const inner = drain;
      drain = () => storage.run({ n }, inner);
    }
    const result = await drain();
    const drainMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    if (session) profiles.push((await session.post("Profiler.stop")).profile);
    let stats;
    await waitFor("deliveries", async () => (stats = await (await fetch(`${receiverUrl}/stats`)).json()).unique >= EVENTS, { timeoutMs: 60_000, intervalMs: 50 });
    const receiverCpu = cpuUs(receiver.pid) - receiverBefore;
    const backendsAfter = await backendCpu();
    // A backend that started during the drain counts whole; one that ended would be lost.
    if ([...backendsBefore.pids].some((pid) => !backendsAfter.pids.has(pid))) console.warn("[fanout] a backend ended during the drain: its CPU is not counted");
    const perSecond = EVENTS / (drainMs / 1000);
    // Little's law: requests in flight on average = total request time / wall time (the log has each latency).
    const [{ total }] = await db.$queryRaw`SELECT COALESCE(SUM("latencyMs"), 0)::int AS total FROM "WebhookAttempt" WHERE "createdAt" >= ${now}`;
    results.push({
      capacity: cap && Math.round(cap),
      capacityCpuUsPerRequest: measured && { loadGen: measured.loadGenCpuUsPerRequest, receiver: measured.receiverCpuUsPerRequest, receiverPg: measured.receiverPgCpuUsPerRequest },
      deliveredPerSecond: Math.round(perSecond),
      ratio: cap ? Number((perSecond / cap).toFixed(3)) : null,
      // What the ratio would be if these processes alone saturated the CPUs: CPU per request of the
      // capacity run's side (load generator, receiver, its backends) over the fan-out's (portal, its
      // backends, receiver, its backends). Far steadier than the throughput ratio on a shared machine.
      cpuBoundRatio: measured
        ? Number(
            (
              (measured.loadGenCpuUsPerRequest + measured.receiverCpuUsPerRequest + measured.receiverPgCpuUsPerRequest) /
              ((cpu.user + cpu.system + backendsAfter.portal - backendsBefore.portal + receiverCpu + backendsAfter.receiver - backendsBefore.receiver) / EVENTS)
            ).toFixed(3),
          )
        : null,
      cpuUsPerDelivery: Math.round((cpu.user + cpu.system) / EVENTS),
      // Of which in the kernel (socket writes and reads, epoll): the rest is JavaScript, GC and the other threads.
      systemCpuUsPerDelivery: Math.round(cpu.system / EVENTS),
      portalPgCpuUsPerDelivery: Math.round((backendsAfter.portal - backendsBefore.portal) / EVENTS),
      receiverCpuUsPerDelivery: Math.round(receiverCpu / EVENTS),
      receiverPgCpuUsPerDelivery: Math.round((backendsAfter.receiver - backendsBefore.receiver) / EVENTS),
      averageInFlight: Math.round(total / drainMs),
      sent: result.sent,
      duplicates: stats.duplicates,
    });
    console.log(JSON.stringify(results.at(-1)));
  }
  if (profileFile) fs.writeFileSync(profileFile, JSON.stringify(profiles.at(-1)));
  await db.$disconnect();
} finally {
  await monitor?.end().catch(() => {});
  if (receiver) await stop(receiver, { graceMs: 2_000 });
  await database.drop();
}
process.exit(0);
