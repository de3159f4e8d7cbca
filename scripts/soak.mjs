#!/usr/bin/env node
// The soak harness behind `npm run soak` (issue 17): two production instances
// of the portal on one private PostgreSQL and one private Redis, a real SMTP
// sink and a webhook receiver, a mixed workload through both instances, faults
// on a schedule, and invariants checked at the end from the database and the
// sinks. Prints a table, writes bench/results/soak-<time>.json (and the same
// report to $SOAK_JSON_REPORT when set), exits 1 when an invariant fails.
//
//   node scripts/soak.mjs [--minutes N]        default 5 (CI: --minutes 1, every fault once, shorter windows)
//   --workdir DIR     mirror the project into DIR and run there (never builds in place; the build is reused while fresh)
//   --build / --no-build   force / forbid `next build` (default: build when stale)
//   --users N         simulated users (default 240)   --keep   keep the temp dir (logs, database) for a post-mortem
//
// See docs/reliability.md for what each fault and invariant means.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { freePort, sleep } from "./lib/net.mjs";
import { exitStatus, exited, nodeBin, start } from "./lib/proc.mjs";
import { randomSecret } from "./lib/secret.mjs";
import { buildIsFresh, mirrorProject } from "../bench/lib/build.mjs";
import { Balancer, Browser, Recorder } from "./soak/client.mjs";
import { faultSchedule, inject } from "./soak/faults.mjs";
import { baselineP99, BASELINE_FLOOR_MS, checkInvariants, inWindow, percentile, recoveryAfter } from "./soak/invariants.mjs";
import { portalInstance, startPostgres, startRedis, startSmtpSink, startWebhookReceiver, tempRoot } from "./soak/services.mjs";
import { Workload } from "./soak/workload.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (message) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    workdir: { type: "string" },
    build: { type: "boolean" },
    "no-build": { type: "boolean" },
    users: { type: "string", default: "240" },
    keep: { type: "boolean" },
  },
});
const minutes = Number(args.minutes);
if (!(minutes > 0 && minutes <= 120)) {
  console.error("[soak] --minutes takes a number of minutes (0 < N <= 120)");
  process.exit(2);
}

// --- --workdir: mirror and re-run there (as bench/run.mjs does) --------------------------------
if (args.workdir) {
  const target = path.resolve(args.workdir);
  if (target === ROOT) throw new Error("--workdir must differ from the project directory");
  log(`Mirroring ${ROOT} into ${target} ...`);
  await mirrorProject(ROOT, target, { spawnSync });
  const rest = process.argv.slice(2).filter((arg, index, all) => arg !== "--workdir" && all[index - 1] !== "--workdir" && !arg.startsWith("--workdir="));
  const child = spawn(process.execPath, [path.join(target, "scripts", "soak.mjs"), ...rest], { cwd: target, stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  const status = exitStatus(await exited(child));
  const results = path.join(target, "bench", "results");
  for (const file of fs.existsSync(results) ? fs.readdirSync(results) : []) {
    if (file.startsWith("soak-") && file.endsWith(".json")) fs.copyFileSync(path.join(results, file), path.join(ROOT, "bench", "results", file));
  }
  process.exit(status);
}

// --- everything started, stopped in reverse whatever happens ---------------------------------
const cleanups = [];
let interrupted = null;
async function cleanup() {
  while (cleanups.length > 0) {
    const [label, task] = cleanups.pop();
    try {
      await task();
    } catch (error) {
      console.error(`[soak] cleanup (${label}): ${error.message}`);
    }
  }
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    log(`${signal}: cleaning up ...`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function foreground(pkg, bin, argv, env) {
  const [command, commandArgs] = nodeBin(pkg, bin, argv);
  const child = start(command, commandArgs, { env, cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const status = exitStatus(await exited(child));
  if (status !== 0) process.stderr.write(output);
  return status;
}

async function main() {
  const startedAt = new Date();
  const durationS = Math.round(minutes * 60);

  // 1. Private infrastructure (before the build, which gets its database).
  const dir = tempRoot();
  cleanups.push(["temp dir", async () => (args.keep ? log(`kept ${dir}`) : fs.rmSync(dir, { recursive: true, force: true }))]);
  log(`temp dir ${dir}`);
  const postgres = await startPostgres(path.join(dir, "pg"));
  cleanups.push(["postgres", () => postgres.stop()]);
  const redis = await startRedis(path.join(dir, "redis"));
  cleanups.push(["redis", () => redis.stop()]);
  log(`PostgreSQL on :${postgres.port}, Redis on :${redis.port}`);
  const migrateEnv = { ...process.env, DATABASE_URL: postgres.url };
  if ((await foreground("prisma", "prisma", ["migrate", "deploy"], migrateEnv)) !== 0) throw new Error("prisma migrate deploy failed");
  // 2. Build (or reuse), against the private database (pages may read settings while prerendering).
  const freshness = buildIsFresh(ROOT);
  const buildMode = args.build ? "always" : args["no-build"] ? "never" : "auto";
  if (buildMode === "never" || (buildMode === "auto" && freshness.fresh)) {
    if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("--no-build but there is no build");
    log("Reusing the production build.");
  } else {
    log(`Building (${buildMode === "always" ? "forced" : freshness.reason}) ...`);
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: postgres.url };
    if ((await foreground("prisma", "prisma", ["generate"], env)) !== 0) throw new Error("prisma generate failed");
    const [command, commandArgs] = nodeBin("next", "next", ["build"]);
    if (exitStatus(await exited(start(command, commandArgs, { env, cwd: ROOT }))) !== 0) throw new Error("next build failed");
  }

  const sink = await startSmtpSink();
  cleanups.push(["smtp sink", () => sink.stop()]);
  const webhook = await startWebhookReceiver(ROOT, postgres.url);
  cleanups.push(["webhook receiver", () => webhook.close()]);

  // 3. Two instances, one database, one Redis.
  const [portA, portB] = [await freePort(), await freePort()];
  const origin = `http://127.0.0.1:${portA}`;
  const runId = crypto.randomBytes(3).toString("hex");
  const adminEmail = `soak-admin-${runId}@example.com`;
  const common = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: postgres.url,
    AUTH_SECRET: randomSecret(),
    // One public origin, as behind a load balancer: both instances issue and check the same.
    AUTH_URL: origin,
    CRON_SECRET: randomSecret(),
    ADMIN_EMAILS: adminEmail,
    RATE_LIMIT: "on",
    REDIS_URL: redis.url,
    // Each simulated user has its own address in X-Forwarded-For; the harness is the trusted (loopback) proxy.
    AUTH_TRUSTED_PROXIES: "loopback",
    SMTP_URL: sink.url,
    WEBHOOK_ALLOW_PRIVATE_URLS: "on",
    // Bot protection off (the setting's default, S10): see docs/reliability.md for why.
    BOT_PROTECTION: "off",
  };
  const instances = {
    a: portalInstance({ name: "A", root: ROOT, port: portA, env: { ...common, RATE_LIMIT_ON_STORE_ERROR: "allow" }, logDir: dir }),
    b: portalInstance({ name: "B", root: ROOT, port: portB, env: { ...common, RATE_LIMIT_ON_STORE_ERROR: "deny" }, logDir: dir }),
  };
  for (const instance of Object.values(instances)) cleanups.push([`instance ${instance.name}`, () => instance.stop()]);
  log("starting instance A, then B ...");
  await instances.a.start();
  await instances.b.start();
  log(`instances ready: A ${instances.a.baseUrl} (store errors: allow), B ${instances.b.baseUrl} (store errors: deny)`);

  const db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  db.on("error", () => {}); // the PostgreSQL restart cuts these connections too
  cleanups.push(["harness pool", () => db.end()]);

  const recorder = new Recorder();
  const balancer = new Balancer(Object.values(instances));
  const users = Number(args.users);
  const workload = new Workload({ balancer, recorder, sink, origin, runId, users, flows: 24, maxInFlight: 8, log });

  // 4. Setup through the product: the admin signs up, adds the webhook endpoint, reveals its secret for the receiver.
  const admin = { email: adminEmail, passwords: [`Soak admin ${runId} quartz lantern`], ip: "10.255.0.1", browsers: [], registered: false, index: "admin" };
  if ((await workload.signUp(admin)) !== "ok") throw new Error("the admin could not sign up");
  const adminBrowser = admin.browsers[0];
  const created = await adminBrowser.request("POST", "/api/admin/webhooks", { url: webhook.url, description: "soak receiver", events: [] });
  if (created.status !== 201) throw new Error(`creating the webhook endpoint answered ${created.status}: ${created.text.slice(0, 300)}`);
  const endpointId = created.json.endpoint.id;
  const revealed = await adminBrowser.request("POST", `/api/admin/webhooks/${endpointId}/secret`, {});
  if (revealed.status !== 200) throw new Error(`revealing the webhook secret answered ${revealed.status}: ${revealed.text.slice(0, 300)}`);
  await webhook.configure(revealed.json.secret);
  const webhookSince = new Date();
  const probeUser = { email: `soak-probe-${runId}@example.com`, passwords: [`Soak probe ${runId} quartz lantern`], ip: "10.255.0.2", browsers: [], registered: false, index: "probe" };
  if ((await workload.signUp(probeUser)) !== "ok") throw new Error("the probe user could not sign up");
  recorder.requests.length = 0; // setup requests are not part of the run
  recorder.tokens.length = 0;

  const rotateKey = async () => {
    // A fresh sign-in: key rotation needs a recent verification (step-up).
    const browser = new Browser({ balancer, recorder, ip: admin.ip, origin });
    const signedIn = await browser.request("POST", "/api/auth/sign-in", { email: admin.email, password: admin.passwords[0] }, { label: "POST /api/auth/sign-in (admin)" });
    if (signedIn.json?.status !== "complete") return { error: `admin sign-in ${signedIn.status}` };
    const rotated = await browser.request("POST", "/api/admin/signing-keys/rotate", {}, { label: "POST /api/admin/signing-keys/rotate" });
    return rotated.status === 200 ? { kid: rotated.json.kid } : { error: `rotate ${rotated.status} ${rotated.text.slice(0, 200)}` };
  };

  // 5. Run: workload + probe for the duration, faults on their schedule.
  const { baselineS, faults: schedule } = faultSchedule(durationS);
  const runStart = Date.now();
  log(`workload: ${users} users, ${workload.flows} flows, <= 8 requests in flight, ${durationS} s; faults at ${schedule.map((f) => `${Math.round(f.at)} s ${f.kind}`).join(", ")}`);
  const running = Promise.all([workload.run(), workload.probe(probeUser, 200), workload.adminLoop(adminBrowser, 20_000)]);
  const windows = [];
  const ctx = { instances, sink, webhook, redis, postgres, rotateKey, log, inFlight: (name) => recorder.inFlight[name] ?? 0 };
  const faultsDone = (async () => {
    // Faults one after another; one that is due while another runs waits for it (SMTP and webhook overlap by design).
    const pending = [];
    for (const fault of schedule) {
      const due = runStart + fault.at * 1000;
      await sleep(Math.max(0, due - Date.now()));
      if (interrupted) return;
      const run = inject(fault, ctx).then((window) => windows.push(window));
      pending.push(run);
      if (fault.kind !== "smtp") await run; // the SMTP outage runs alongside the webhook fault
    }
    await Promise.all(pending);
  })();
  await faultsDone;
  // At least the full duration, and 35 s after the last fault (its recovery window).
  const lastEnd = Math.max(...windows.map((window) => window.end));
  await sleep(Math.max(runStart + durationS * 1000, lastEnd + 35_000) - Date.now());
  workload.stop();
  log("workload stopping (flows finish their current step) ...");
  await running;
  const runEnd = Date.now();

  // 6. Settle: let the queue finish; rows waiting out a retry backoff are made due now (the admin's "send now").
  const settle = await settleQueue(db, log);

  // 7. Invariants and the table.
  const firstFault = Math.min(...windows.map((window) => window.start));
  // The probe's first seconds (its sign-in, cold caches) are not the reference.
  const baseline = baselineP99(recorder.requests, runStart + Math.min(5_000, baselineS * 250), firstFault);
  const limitMs = 2 * Math.max(baseline.p99 ?? BASELINE_FLOOR_MS, BASELINE_FLOOR_MS);
  for (const window of windows) {
    window.recoveryMs = recoveryAfter(recorder.requests, window.end, limitMs);
    const during = recorder.requests.filter((request) => inWindow(request, window));
    window.requests = during.length;
    window.errorsByStatus = {};
    window.errorsByInstance = {}; // e.g. the Redis outage: A (allow) lets requests through, B (deny) answers 429
    for (const request of during) {
      if (request.status !== 0 && request.status < 400) continue;
      if (request.status === 401 && request.route.endsWith("(signed out)")) continue; // the refusal that was expected
      window.errorsByStatus[request.status] = (window.errorsByStatus[request.status] ?? 0) + 1;
      const mine = (window.errorsByInstance[request.instance] ??= {});
      mine[request.status] = (mine[request.status] ?? 0) + 1;
    }
    window.probeP99During = percentile(during.filter((r) => r.route === "probe" && r.status === 200).map((r) => r.ms), 99);
  }
  const invariants = await checkInvariants({ db, sink, recorder, workload, windows, webhookSince, baseline });
  const statuses = {};
  for (const request of recorder.requests) statuses[request.status] = (statuses[request.status] ?? 0) + 1;
  const report = {
    kind: "soak",
    startedAt: startedAt.toISOString(),
    minutes,
    durationS: Math.round((runEnd - runStart) / 1000),
    machine: { cpus: os.cpus().length, loadAverageAtStart: os.loadavg().map((v) => Number(v.toFixed(2))), node: process.version },
    setup: { users, flows: workload.flows, maxInFlight: 8, probeIntervalMs: 200, botProtection: "off (BOT_PROTECTION=off)", rateLimit: "on, Redis store" },
    totals: { requests: recorder.requests.length, byStatus: statuses, tokens: recorder.tokens.length, mails: sink.messages.length, flows: workload.stats },
    baseline: { p99Ms: baseline.p99, probes: baseline.count, limitMs },
    faults: windows.map(({ name, kind, start, end, details, requests, errorsByStatus, errorsByInstance, recoveryMs, probeP99During }) => ({
      name, kind, startS: Math.round((start - runStart) / 100) / 10, seconds: Math.round((end - start) / 100) / 10, requests, errorsByStatus, errorsByInstance, probeP99DuringMs: probeP99During, recoveryMs, details,
    })),
    settle,
    invariants,
    // Every 5xx and unanswered request, for the post-mortem (seconds from the start of the run).
    failures: recorder.requests
      .filter((request) => request.status === 0 || request.status >= 500)
      .map((request) => ({ atS: Math.round((request.start - runStart) / 100) / 10, ms: request.ms, instance: request.instance, route: request.route, status: request.status })),
  };
  return report;
}

/**
 * Waits until no mail or webhook row is pending or sending. A row waiting out
 * its retry backoff (the next attempt minutes away) is made due now, once (never twice),
 * and counted: what is checked is that nothing was lost, not the
 * backoff. A row still leased ("sending") by a killed instance is waited out
 * (its lease), never forced: that is the recovery under test.
 */
async function settleQueue(db, log) {
  const started = Date.now();
  const fastForwarded = new Set();
  let waitedForLeaseMs = 0;
  for (;;) {
    const { rows } = await db.query(
      `SELECT status, count(*)::int AS n, max("nextAttemptAt") AS latest FROM "OutboxMessage" WHERE status IN ('pending', 'sending') GROUP BY status`,
    );
    const pending = rows.find((row) => row.status === "pending");
    const sending = rows.find((row) => row.status === "sending");
    if (!pending && !sending) break;
    const leaseEnd = sending ? new Date(sending.latest).getTime() : 0;
    const deadline = Math.max(started + 90_000, leaseEnd + 30_000);
    if (Date.now() > deadline) {
      log(`settle: giving up with ${pending?.n ?? 0} pending and ${sending?.n ?? 0} sending rows`);
      break;
    }
    if (pending) {
      const moved = await db.query(`UPDATE "OutboxMessage" SET "nextAttemptAt" = now() WHERE status = 'pending' AND "nextAttemptAt" > now() + interval '5 seconds' AND NOT (id = ANY($1::text[])) RETURNING id`, [[...fastForwarded]]);
      for (const row of moved.rows) fastForwarded.add(row.id);
    }
    if (sending && leaseEnd > Date.now()) waitedForLeaseMs = Math.max(waitedForLeaseMs, leaseEnd - started);
    await sleep(2_000);
  }
  const settle = { seconds: Math.round((Date.now() - started) / 1000), fastForwarded: fastForwarded.size, waitedForLeaseMs };
  log(`settled in ${settle.seconds} s (${fastForwarded.size} rows made due early, waited for leases up to ${Math.round(waitedForLeaseMs / 1000)} s)`);
  return settle;
}

function pad(value, width) {
  const text = String(value ?? "");
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

export function formatReport(report) {
  const lines = [];
  lines.push("", `Soak: ${report.minutes} min requested, ${report.durationS} s run, ${report.totals.requests} requests, ${report.totals.tokens} tokens, ${report.totals.mails} mails (${report.machine.cpus} CPUs, load ${report.machine.loadAverageAtStart.join(" ")})`);
  lines.push(`Protected page (/account) probe p99 before the first fault: ${report.baseline.p99Ms} ms over ${report.baseline.probes} probes; recovery limit ${report.baseline.limitMs} ms`);
  lines.push("", `  ${pad("Fault", 44)} ${pad("At", 7)} ${pad("Window", 8)} ${pad("Requests", 9)} ${pad("Errors by status", 28)} ${pad("p99 during", 11)} Recovery`);
  for (const fault of report.faults) {
    const errors = Object.entries(fault.errorsByStatus).map(([status, count]) => `${status === "0" ? "conn" : status}:${count}`).join(" ") || "none";
    lines.push(`  ${pad(fault.name, 44)} ${pad(`${fault.startS}s`, 7)} ${pad(`${fault.seconds}s`, 8)} ${pad(fault.requests, 9)} ${pad(errors, 28)} ${pad(fault.probeP99DuringMs === null ? "-" : `${fault.probeP99DuringMs}ms`, 11)} ${fault.recoveryMs === null ? "NOT within 30 s" : `${(fault.recoveryMs / 1000).toFixed(1)} s`}`);
  }
  lines.push("", `  Flows: ${Object.entries(report.totals.flows).map(([name, s]) => `${name} ${s.completed}/${s.started}`).join(", ")}`);
  lines.push(`  Statuses: ${Object.entries(report.totals.byStatus).map(([status, count]) => `${status === "0" ? "no answer" : status}: ${count}`).join(", ")}`);
  lines.push(`  Queue settle: ${report.settle.seconds} s, ${report.settle.fastForwarded} rows made due early (retry backoff), lease waits up to ${Math.round(report.settle.waitedForLeaseMs / 1000)} s`);
  lines.push("", "Invariants");
  for (const invariant of report.invariants) lines.push(`  ${invariant.ok ? "PASS" : "FAIL"}  ${invariant.name}\n        ${invariant.detail}`);
  return lines.join("\n");
}

let status = 1;
try {
  const report = await main();
  console.log(formatReport(report));
  const resultsDir = path.join(ROOT, "bench", "results");
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `soak-${report.startedAt.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  // `npm test` (scripts/test-all.mjs) counts the invariants from this copy.
  if (process.env.SOAK_JSON_REPORT) fs.writeFileSync(process.env.SOAK_JSON_REPORT, `${JSON.stringify(report)}\n`);
  const failed = report.invariants.filter((invariant) => !invariant.ok);
  console.log(`\n[soak] ${report.invariants.length - failed.length}/${report.invariants.length} invariants pass; ${path.relative(process.cwd(), file)}`);
  status = failed.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`[soak] ✖ ${error.stack ?? error.message}`);
  status = 1;
} finally {
  if (!interrupted) await cleanup();
}
process.exit(interrupted ? 130 : status);
