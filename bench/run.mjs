#!/usr/bin/env node
// Benchmark harness behind `npm run bench` (issue 5). Every budget is a ratio
// of two figures measured in this same run; the raw figures are printed too.
//
//   node bench/run.mjs                 full run (1k users, then 1M users + 2M sessions)
//   --scale 100k                       the large data set at 100k users + 200k sessions instead (faster seeding)
//   node bench/run.mjs --smoke         CI smoke: short, 1k users only, budgets reported, not enforced
//   node bench/run.mjs --workdir DIR   mirror the project into DIR and run there (never builds in place)
//   node bench/run.mjs --only integrations   one scenario alone on the 1k server: the webhook
//                                      fan-out and template mint rows (combine with --smoke for short rounds)
//   node bench/run.mjs --only first-visit    /sign-in first-load JS and TTFB for 50 new visitors vs the bare page
//   node bench/run.mjs --only memory         RSS and heap over minutes of a steady mixed load
//   node bench/run.mjs --only core           the first round's scenarios on 1k and the large set (no
//                                      integrations, first visits or memory)
//   node bench/run.mjs --only middleware     the middleware rows alone: base cost (/bench/public vs
//                                      /bench/floor, which the matcher skips) and protected vs public
//   --proxy-variant                    also build a copy of the project whose middleware.ts is a Node
//                                      proxy.ts (in <project>-proxy) and run the same middleware rounds
//                                      against it, interleaved with the Edge build's
//   --build / --no-build               force / forbid `next build` (default: build when stale)
//   node bench/run.mjs --report FILE   print the table of a saved bench/results/*.json again
//
// Steps: build (or reuse) the production build; create a scratch database on
// TEST_DATABASE_URL's server, migrate and seed it; start the production server
// as `npm start` does (scripts/server.mjs) with
// AUTH_BENCH_ROUTES=1, RATE_LIMIT=off and 600 s session tokens; run the
// scenarios with autocannon (middleware, refresh, admin user list and search,
// sign-in storm); print a table; write bench/results/<time>.json;
// stop the server and drop the database whatever happened.
// Exit status: 1 when a scenario errored (any mode) or a budget failed (full mode).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import bcrypt from "bcryptjs";
import pg from "pg";
import { createScratchDatabase, describeDatabaseUrl } from "../scripts/lib/db.mjs";
import { freePort, httpStatus, sleep, waitFor } from "../scripts/lib/net.mjs";
import { exitStatus, exited, nodeBin, start, stop } from "../scripts/lib/proc.mjs";
import { randomSecret } from "../scripts/lib/secret.mjs";
import { serverNodeFlags } from "../scripts/lib/server-flags.mjs";
import { buildIsFresh, mirrorProject } from "./lib/build.mjs";
import { firstVisits } from "./lib/first-visit.mjs";
import { load, processCpuMs } from "./lib/load.mjs";
import { memoryOverTime } from "./lib/memory.mjs";
import { svixSigner } from "./lib/svix-sign.mjs";
import { dictionaryChunksInBuild, pageWeight } from "./lib/weight.mjs";
import {
  assignPasswords,
  benchEmail,
  benchId,
  clientToken,
  explainHotQueries,
  seedRange,
  seqScans,
  setLastActive,
  tableCounts,
} from "./lib/seed.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_SERVER_URL = "postgresql://postgres:postgres@localhost:5432/postgres";
const BCRYPT_COST = 10;
const TOKEN_TTL_SECONDS = 600;
const KB = 1000; // page weight in kB = 1000 bytes (the stricter reading)

// --- arguments -------------------------------------------------------------
const argv = process.argv.slice(2);
const smoke = argv.includes("--smoke");
let buildMode = argv.includes("--build") ? "always" : argv.includes("--no-build") ? "never" : "auto";
const workdirIndex = argv.indexOf("--workdir");
const workdir = workdirIndex >= 0 ? argv[workdirIndex + 1] : null;
const onlyIndex = argv.indexOf("--only");
const only = onlyIndex >= 0 ? argv[onlyIndex + 1] : null;
const ONLY_SCENARIOS = ["core", "integrations", "first-visit", "memory", "middleware"];
const proxyVariant = argv.includes("--proxy-variant");
if (onlyIndex >= 0 && !ONLY_SCENARIOS.includes(only)) {
  console.error(`[bench] --only takes one of: ${ONLY_SCENARIOS.join(", ")}`);
  process.exit(2);
}

// --- scenario sizes ----------------------------------------------------------
const SIZES = smoke
  ? { middlewareRounds: 2, middlewareSeconds: 3, dbRounds: 1, dbAmount: 600, adminRounds: 1, adminAmount: 300, stormRounds: 1, unloadedSeconds: 5, stormSeconds: 8, verifyQuick: true, firstVisitRounds: 1, firstVisitSeconds: 5, memorySeconds: 90, memoryWarmUpSeconds: 30, fanOutRounds: 1 }
  : { middlewareRounds: 6, middlewareSeconds: 4, dbRounds: 4, dbAmount: 2_000, adminRounds: 3, adminAmount: 1_500, stormRounds: 3, unloadedSeconds: 6, stormSeconds: 12, verifyQuick: false, firstVisitRounds: 3, firstVisitSeconds: 8, memorySeconds: 240, memoryWarmUpSeconds: 60, fanOutRounds: 3 };
const SMALL = { users: 1_000, sessions: 2_000 };
// The large data set of the scale rows (issue 18: 1M users and 2M sessions; --scale 100k for a quicker run).
const LARGE_SETS = { "1m": { label: "1M", users: 1_000_000, sessions: 2_000_000 }, "100k": { label: "100k", users: 100_000, sessions: 200_000 } };
const scaleIndex = argv.indexOf("--scale");
const LARGE = LARGE_SETS[scaleIndex >= 0 ? argv[scaleIndex + 1]?.toLowerCase() : "1m"];
if (!LARGE) {
  console.error(`[bench] --scale takes one of: ${Object.keys(LARGE_SETS).join(", ")}`);
  process.exit(2);
}
const SIGN_IN_USERS = 50; // one per concurrent sign-in
const STORM_CONNECTIONS = 50;
const REFRESH_CONNECTIONS = 20;
const ADMIN_CONNECTIONS = 10;
const ADMIN_SORTS = ["created_desc", "created_asc", "last_sign_in_desc"];
const MIDDLEWARE_CONNECTIONS = 10;
const ALONGSIDE = { connections: 2, overallRate: 20 }; // protected-page probe during the storm
const FIRST_VISITORS = 50; // concurrent new visitors of /sign-in (issue 18 item 4)
const MEMORY_RATES = { pageViews: 150, refreshes: 20, signIns: 2 }; // requests per second of the steady mix
const TOKEN_USER = SMALL.users; // the account whose __session drives the protected-page scenarios

const log = (message) => console.log(`[bench] ${message}`);
const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : value);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const passwordOf = (userNumber) => `Bench-${userNumber}-quartz-lantern`;

// --- --workdir: mirror and re-run there ------------------------------------
if (workdir) {
  const target = path.resolve(workdir);
  if (target === ROOT) throw new Error("--workdir must differ from the project directory");
  log(`Mirroring ${ROOT} into ${target} ...`);
  await mirrorProject(ROOT, target, { spawnSync });
  const rest = argv.filter((arg, index) => index !== workdirIndex && index !== workdirIndex + 1);
  const child = spawn(process.execPath, [path.join(target, "bench", "run.mjs"), ...rest], { cwd: target, stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  const status = exitStatus(await exited(child));
  // Bring the results back next to the project's own bench/results.
  const results = path.join(target, "bench", "results");
  for (const file of fs.existsSync(results) ? fs.readdirSync(results) : []) {
    if (file.endsWith(".json")) fs.copyFileSync(path.join(results, file), path.join(ROOT, "bench", "results", file));
  }
  process.exit(status);
}

// --- process plumbing ----------------------------------------------------------
const targets = []; // { name, database, admin, server, serverGone, baseUrl, ... } per scratch database + server
let interrupted = null;

async function cleanup() {
  for (const target of targets) {
    if (target.server) {
      log(`Stopping the ${target.name} server ...`);
      await stop(target.server, { group: true, graceMs: 5_000 });
      target.server = null;
    }
    if (target.admin) {
      await target.admin.end().catch(() => {});
      target.admin = null;
    }
    if (target.database) {
      try {
        await target.database.drop();
        log(`Dropped ${target.database.name}.`);
      } catch (error) {
        console.error(`[bench] Could not drop ${target.database.name}: ${error.message}`);
      }
      target.database = null;
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

async function foreground(pkg, bin, args, env, { quiet = false } = {}) {
  const [command, commandArgs] = nodeBin(pkg, bin, args);
  const child = start(command, commandArgs, { env, cwd: ROOT, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const status = exitStatus(await exited(child));
  if (status !== 0 && quiet) process.stderr.write(output);
  if (interrupted) throw new Error(`interrupted (${interrupted})`);
  return status;
}

// --- HTTP helpers ----------------------------------------------------------------
function cookiesFrom(response) {
  const jar = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair.indexOf("=");
    jar[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return jar;
}

/** Signs `userNumber` in once; returns its fresh `__session` and `__client` cookie values. */
async function signIn(baseUrl, userNumber) {
  const response = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email: benchEmail(userNumber), password: passwordOf(userNumber) }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`sign-in of ${benchEmail(userNumber)} answered ${response.status}: ${text.slice(0, 300)}`);
  const jar = cookiesFrom(response);
  if (!jar.__session || !jar.__client) throw new Error("sign-in set no __session/__client cookie");
  return { session: jar.__session, client: jar.__client, cookie: `__session=${jar.__session}; __client=${jar.__client}` };
}

async function expectStatus(url, init, expected) {
  const response = await fetch(url, { redirect: "manual", ...init });
  await response.body?.cancel();
  if (response.status !== expected) throw new Error(`${init?.method ?? "GET"} ${url} answered ${response.status}, expected ${expected}`);
}

const problems = []; // scenario errors: the harness could not measure what it claims to
function checked(summary) {
  if (!summary.ok) {
    problems.push(summary.error);
    console.error(`[bench] ✖ ${summary.error}`);
  }
  return summary;
}

function combine(label, runs) {
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  const ok = runs.reduce((sum, run) => sum + run.okRps * run.durationS, 0);
  const seconds = runs.reduce((sum, run) => sum + run.durationS, 0);
  return {
    label,
    runs: runs.length,
    requests,
    seconds: round(seconds),
    rps: round(requests / seconds, 1),
    okRps: round(ok / seconds, 1),
    p50: median(runs.map((run) => run.latencyMs.p50)),
    p99: median(runs.map((run) => run.latencyMs.p99)),
    serverCpuUsPerRequest: runs.every((run) => run.serverCpuMs !== null && run.serverCpuMs !== undefined)
      ? Math.round((runs.reduce((sum, run) => sum + run.serverCpuMs, 0) * 1000) / Math.max(1, requests))
      : null,
    serverMainThreadUsPerRequest: runs.every((run) => typeof run.serverMainThreadUsPerRequest === "number")
      ? Math.round(runs.reduce((sum, run) => sum + run.serverMainThreadUsPerRequest * run.requests, 0) / Math.max(1, requests))
      : null,
    databaseCpuUsPerRequest: runs.every((run) => typeof run.databaseCpuMs === "number")
      ? Math.round((runs.reduce((sum, run) => sum + run.databaseCpuMs, 0) * 1000) / Math.max(1, requests))
      : null,
    perRunOkRps: runs.map((run) => round(run.okRps, 1)),
    ok: runs.every((run) => run.ok),
    raw: runs,
  };
}

// --- targets: one scratch database + one `next start` per data size ----------------
async function createTarget(name, size, serverUrl, { sharedHash, hashFor, signInUsers, root = ROOT }) {
  const target = { name, size, signInUsers, database: null, admin: null, server: null, serverGone: null };
  targets.push(target);
  target.database = await createScratchDatabase(serverUrl, `portal_bench_${name.toLowerCase()}`);
  const port = await freePort();
  target.baseUrl = `http://localhost:${port}`;
  target.log = path.join(os.tmpdir(), `portal-bench-${name}-${process.pid}.log`);
  const env = {
    ...process.env,
    DATABASE_URL: target.database.url,
    AUTH_SECRET: randomSecret(),
    AUTH_URL: target.baseUrl,
    AUTH_BENCH_ROUTES: "1",
    RATE_LIMIT: "off",
    AUTH_SESSION_TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
    AUTH_BCRYPT_COST: String(BCRYPT_COST),
    NODE_ENV: "production",
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: "1",
    // No SMTP here: the dev inbox is the mail transport, so /api/health (the readiness probe) stays 200.
    DEV_INBOX: "on",
    // The webhook fan-out row delivers to a receiver on 127.0.0.1 (refused in production otherwise).
    WEBHOOK_ALLOW_PRIVATE_URLS: "on",
  };
  // DATABASE_POOL_MAX and AUTH_PASSWORD_HASH_WORKERS pass through when set (tuning on bigger machines); defaults otherwise.
  log(`[${name}] migrating ${target.database.name} ...`);
  if ((await foreground("prisma", "prisma", ["migrate", "deploy"], env, { quiet: true })) !== 0) throw new Error("prisma migrate deploy failed");
  target.admin = new pg.Client({ connectionString: target.database.url });
  await target.admin.connect();
  // Harness queries (pool resets, counts) must never show up as sequential scans in the index check.
  await target.admin.query("SET enable_seqscan = off");

  const seedStarted = performance.now();
  await seedRange(target.admin, { fromUser: 1, toUser: size.users, fromSession: 1, toSession: size.sessions, userCount: size.users, sharedHash, cost: BCRYPT_COST });
  const accounts = [...signInUsers, TOKEN_USER];
  await assignPasswords(target.admin, accounts, accounts.map((n) => hashFor.get(n)), BCRYPT_COST);
  await target.admin.query(`VACUUM ANALYZE "User", "EmailAddress", "Client", "Session"`);
  target.counts = await tableCounts(target.admin);
  log(`[${name}] seeded ${target.counts.users} users, ${target.counts.sessions} sessions in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s.`);

  log(`[${name}] starting scripts/server.mjs on ${target.baseUrl} (AUTH_BENCH_ROUTES=1, RATE_LIMIT=off, ${TOKEN_TTL_SECONDS} s tokens); log: ${target.log}`);
  const logFd = fs.openSync(target.log, "w");
  // The server `npm start` runs, with the Node flags it gets there (its heap limit); spawned
  // directly so its pid is the one whose CPU and memory are measured. --expose-gc (nothing
  // runs it unless asked): the memory scenario reads the live heap after a full collection.
  const serverArgs = [...serverNodeFlags(env), "--expose-gc", path.join(root, "scripts", "server.mjs"), "--port", String(port)];
  target.server = start(process.execPath, serverArgs, { env, cwd: root, detached: true, stdio: ["ignore", logFd, logFd] });
  fs.closeSync(logFd);
  void exited(target.server).then((result) => (target.serverGone = result));
  await waitFor(`waiting for the ${name} server`, async () => (await httpStatus(`${target.baseUrl}/api/health`)) === 200, {
    timeoutMs: 120_000,
    intervalMs: 500,
    abort: () => (target.serverGone ? `the server exited (status ${exitStatus(target.serverGone)})` : interrupted),
  });
  await expectStatus(`${target.baseUrl}/bench/empty`, {}, 200);
  await expectStatus(`${target.baseUrl}/bench/protected`, {}, 307); // no token: middleware redirects to sign-in
  await signIn(target.baseUrl, TOKEN_USER); // creates the signing key, warms JWKS, Prisma and the hash pool
  return target;
}

/** `rounds` pools of distinct random sessions of `target` (each pool used once per refresh pass). */
function sessionPools(target, rounds) {
  const pools = [];
  for (let r = 0; r < rounds; r++) {
    const pool = new Set();
    while (pool.size < Math.min(SIZES.dbAmount, target.size.sessions)) pool.add(1 + Math.floor(Math.random() * target.size.sessions));
    pools.push([...pool]);
  }
  return pools;
}

/** Alternates the order of the targets per round so drift in machine load hits each equally. */
const ordered = (list, roundIndex) => (roundIndex % 2 === 0 ? list : [...list].reverse());

// --- scenarios -------------------------------------------------------------------
/**
 * The middleware rows, in one set of interleaved rounds: /bench/floor (excluded from the
 * matcher: no middleware at all), /bench/public (through the middleware, not verified) and
 * /bench/protected (the token verified, a cache hit), the same page each. With `proxyTarget`
 * (--proxy-variant) the same three run against the proxy.ts build in the same rounds.
 */
async function middlewareScenario(target, proxyTarget = null) {
  const legs = [];
  for (const server of [target, proxyTarget].filter(Boolean)) {
    const { cookie } = await signIn(server.baseUrl, TOKEN_USER);
    // Same cookies on all three: the only differences are whether middleware runs and whether it verifies.
    const headers = { cookie };
    await expectStatus(`${server.baseUrl}/bench/protected`, { headers }, 200);
    await expectStatus(`${server.baseUrl}/bench/public`, { headers }, 200);
    await expectStatus(`${server.baseUrl}/bench/floor`, { headers }, 200);
    const floor = await fetch(`${server.baseUrl}/bench/floor`, { headers });
    await floor.body?.cancel();
    if (floor.headers.has("content-security-policy")) throw new Error(`${server.name}: /bench/floor went through the middleware (it has a CSP header)`);
    for (const pathName of ["/bench/floor", "/bench/public", "/bench/protected"]) legs.push({ server, pathName, headers, runs: [] });
  }
  const run = (leg, duration = SIZES.middlewareSeconds) =>
    load(
      { url: `${leg.server.baseUrl}${leg.pathName}`, headers: leg.headers, connections: MIDDLEWARE_CONNECTIONS, duration },
      { label: `[${leg.server.name}] GET ${leg.pathName}`, cpuPid: leg.server.server.pid },
    ).then(checked);
  // Warm-up (JIT, JWKS fetch, first renders), discarded.
  for (const leg of legs) await run(leg, 3);
  for (let i = 0; i < SIZES.middlewareRounds; i++) {
    for (const leg of ordered(legs, i)) leg.runs.push(await run(leg));
  }
  const rows = (server) => {
    const of = (pathName) => legs.find((leg) => leg.server === server && leg.pathName === pathName).runs;
    return {
      floor: combine(`[${server.name}] GET /bench/floor (no middleware)`, of("/bench/floor")),
      public: combine(`[${server.name}] GET /bench/public`, of("/bench/public")),
      protected: combine(`[${server.name}] GET /bench/protected`, of("/bench/protected")),
    };
  };
  return { ...rows(target), ...(proxyTarget ? { proxy: rows(proxyTarget) } : {}) };
}

/**
 * --proxy-variant: a copy of the project in `<project>-proxy` whose middleware.ts is
 * proxy.ts (Next 16: the same function exported as `proxy`, always on the Node runtime;
 * both files in one project fail the build), built there unless its build is fresh.
 */
async function prepareProxyVariant(serverUrl) {
  const dir = `${ROOT}-proxy`;
  log(`Proxy variant: mirroring ${ROOT} into ${dir} with middleware.ts as proxy.ts ...`);
  await mirrorProject(ROOT, dir, { spawnSync });
  const middlewareFile = path.join(dir, "middleware.ts");
  const source = fs.readFileSync(middlewareFile, "utf8");
  const renamed = source.replace("export async function middleware(", "export async function proxy(");
  if (renamed === source) throw new Error("middleware.ts has no `export async function middleware(` to rename");
  const proxyFile = path.join(dir, "proxy.ts");
  fs.writeFileSync(proxyFile, renamed);
  const { atime, mtime } = fs.statSync(middlewareFile);
  fs.utimesSync(proxyFile, atime, mtime); // the copy's build stays fresh while middleware.ts does not change
  fs.rmSync(middlewareFile);
  // Tests importing the middleware would fail the build's type check; the copy runs no tests.
  for (const file of ["middleware.test.ts", "app/api/v1/openapi.test.ts", "security/jwt.security.test.ts"]) fs.rmSync(path.join(dir, file), { force: true });
  // Copies keep their sources' times, so a source can be older than a copy's build made from older code:
  // the copy's build must also be newer than the project's own (which was just made fresh).
  const buildTime = (root) => (fs.existsSync(path.join(root, ".next", "BUILD_ID")) ? fs.statSync(path.join(root, ".next", "BUILD_ID")).mtimeMs : 0);
  let freshness = buildIsFresh(dir);
  if (freshness.fresh && buildTime(dir) < buildTime(ROOT)) freshness = { fresh: false, reason: "the project was built after the proxy variant" };
  if (buildMode === "never" || (buildMode === "auto" && freshness.fresh)) {
    if (!fs.existsSync(path.join(dir, ".next", "BUILD_ID"))) throw new Error("--no-build but the proxy variant has no build");
    log("Proxy variant: reusing its build.");
  } else {
    log(`Proxy variant: building (${buildMode === "always" ? "forced" : freshness.reason}) ...`);
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: process.env.DATABASE_URL ?? serverUrl };
    // The copy's own bins: Next loaded from this project's node_modules would render with a second React.
    const inCopy = async (entry, args) => exitStatus(await exited(start(process.execPath, [path.join(dir, "node_modules", ...entry), ...args], { env, cwd: dir })));
    if ((await inCopy(["prisma", "build", "index.js"], ["generate"])) !== 0) throw new Error("prisma generate failed (proxy variant)");
    if ((await inCopy(["next", "dist", "bin", "next"], ["build"])) !== 0) {
      fs.rmSync(path.join(dir, ".next", "BUILD_ID"), { force: true }); // written before a failed prerender: never reuse that build
      throw new Error("next build failed (proxy variant)");
    }
  }
  return dir;
}

/**
 * One round on `target`: the db-read floor, then refresh over `pool` with
 * every session stale (each request reads client, session + user, mints and
 * writes lastActiveAt), then the same sessions again within 30 s (no write).
 */
async function refreshRound(target, pool, { warmUp = false } = {}) {
  const { baseUrl } = target;
  const { session } = await signIn(baseUrl, TOKEN_USER);
  // /api/bench/db-read is not on the public list: it carries a valid __session (a cache hit in middleware).
  const dbHeaders = { cookie: `__session=${session}` };
  const refreshRun = (label, sessions) => {
    let next = 0;
    return load(
      {
        url: baseUrl,
        connections: REFRESH_CONNECTIONS,
        amount: sessions.length,
        headers: { "content-type": "application/json", origin: baseUrl },
        body: "{}",
        requests: [
          {
            method: "POST",
            path: "/api/auth/session/refresh",
            setupRequest: (request) => {
              const n = sessions[next++ % sessions.length];
              request.headers = { ...request.headers, cookie: `__client=${clientToken(n)}` };
              return request;
            },
          },
        ],
      },
      { label: `[${target.name}] ${label}`, cpuPid: target.server.pid, machineCpu: true },
    ).then(checked);
  };
  const dbReadRun = (sessions) =>
    load(
      {
        url: baseUrl,
        connections: REFRESH_CONNECTIONS,
        amount: sessions.length,
        headers: dbHeaders,
        requests: [
          {
            method: "GET",
            path: "/api/bench/db-read",
            setupRequest: (request) => {
              request.path = `/api/bench/db-read?id=${benchId("sess", sessions[Math.floor(Math.random() * sessions.length)])}`;
              return request;
            },
          },
        ],
        verifyBody: (body) => body.includes('"found":true'),
      },
      { label: `[${target.name}] GET /api/bench/db-read`, cpuPid: target.server.pid, machineCpu: true },
    ).then(checked);

  await setLastActive(target.admin, pool, "1 hour"); // as before a real 50 s refresh: last write > 30 s ago
  if (warmUp) {
    await dbReadRun(pool.slice(0, 200));
    await refreshRun("warm-up", pool.slice(0, 200));
    await setLastActive(target.admin, pool, "1 hour");
  }
  const dbRead = await dbReadRun(pool);
  const refresh = await refreshRun("POST /api/auth/session/refresh (writes lastActiveAt)", pool);
  const refreshNoWrite = await refreshRun("POST /api/auth/session/refresh (no write)", pool);
  return { dbRead, refresh, refreshNoWrite };
}

/**
 * One admin round on `target` (lib/admin searchUsers through /api/bench/admin-users,
 * the same call GET /api/admin/users makes, without an admin session): the list
 * (the first page of each sort order and the keyset page after it), then searches
 * that find one user by email or ten by id prefix, whatever the table's size.
 */
async function adminRound(target, { warmUp = false } = {}) {
  const { baseUrl } = target;
  const { session } = await signIn(baseUrl, TOKEN_USER);
  const headers = { cookie: `__session=${session}` };
  const listPaths = [];
  for (const sort of ADMIN_SORTS) {
    const first = `/api/bench/admin-users?sort=${sort}`;
    const response = await fetch(`${baseUrl}${first}`, { headers });
    if (response.status !== 200) throw new Error(`GET ${first} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const { nextCursor } = await response.json();
    listPaths.push(first);
    if (nextCursor) listPaths.push(`${first}&cursor=${encodeURIComponent(nextCursor)}`);
  }
  const searchPath = () => {
    const n = 1 + Math.floor(Math.random() * target.size.users);
    const query = Math.random() < 0.5 ? benchEmail(n) : benchId("user", n).slice(0, -1);
    return `/api/bench/admin-users?query=${encodeURIComponent(query)}`;
  };
  const run = (label, nextPath, amount) =>
    load(
      {
        url: baseUrl,
        connections: ADMIN_CONNECTIONS,
        amount,
        headers,
        requests: [
          {
            method: "GET",
            path: "/api/bench/admin-users",
            setupRequest: (request) => {
              request.path = nextPath();
              return request;
            },
          },
        ],
        verifyBody: (body) => body.includes('"users":[{'),
      },
      { label: `[${target.name}] ${label}`, cpuPid: target.server.pid },
    ).then(checked);
  let next = 0;
  const listPath = () => listPaths[next++ % listPaths.length];
  if (warmUp) {
    await run("admin warm-up", listPath, 200);
    await run("admin warm-up", searchPath, 200);
  }
  const list = await run("GET /api/bench/admin-users (list pages)", listPath, SIZES.adminAmount);
  const search = await run("GET /api/bench/admin-users?query= (search)", searchPath, SIZES.adminAmount);
  return { list, search };
}

/** Plans of the admin list and search statements, as the app runs them (the route's explain mode). */
async function explainAdminQueries(target, userNumber) {
  const { baseUrl } = target;
  const { session } = await signIn(baseUrl, TOKEN_USER);
  const headers = { cookie: `__session=${session}` };
  const first = await (await fetch(`${baseUrl}/api/bench/admin-users?sort=created_asc`, { headers })).json();
  const cases = [
    ["admin list, newest first", "sort=created_desc"],
    ["admin list, oldest first, keyset page 2", `sort=created_asc&cursor=${encodeURIComponent(first.nextCursor ?? "")}`],
    ["admin list by last sign-in", "sort=last_sign_in_desc"],
    ["admin list, banned only", "banned=true"],
    ["admin search by email", `query=${encodeURIComponent(benchEmail(userNumber))}`],
    ["admin search by id prefix", `query=${benchId("user", userNumber).slice(0, -1)}`],
  ];
  const plans = [];
  for (const [name, query] of cases) {
    const url = `/api/bench/admin-users?explain=1&${query}`;
    const response = await fetch(`${baseUrl}${url}`, { headers });
    if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const statements = (await response.json()).plans;
    statements.forEach((plan, index) => {
      const text = plan.join("\n");
      const part = statements.length > 1 ? (index === 0 ? " [match count]" : " [page]") : "";
      plans.push({ name: `${name}${part}`, sql: `GET ${url}`, plan, usesIndex: /Index (Only )?Scan/.test(text) && !/Seq Scan/.test(text) });
    });
  }
  return plans;
}

function timeSingleHash(hash, password, samples = 5) {
  const times = [];
  for (let i = 0; i < samples; i++) {
    const startedAt = performance.now();
    bcrypt.compareSync(password, hash);
    times.push(performance.now() - startedAt);
  }
  return times;
}

/** Protected-page probe: 20 req/s over 2 connections, latency corrected for coordinated omission. */
async function probe(target, seconds, label) {
  const { cookie } = await signIn(target.baseUrl, TOKEN_USER);
  return load(
    {
      url: `${target.baseUrl}/bench/protected`,
      headers: { cookie },
      connections: ALONGSIDE.connections,
      overallRate: ALONGSIDE.overallRate,
      duration: seconds,
    },
    { label: `[${target.name}] ${label}` },
  ).then(checked);
}

/**
 * One storm round on `target`: 50 concurrent password sign-ins (each its own
 * account, new client each time) for `stormSeconds`, with the protected-page
 * probe running alongside; one bcrypt compare is timed right before and right
 * after, so the ideal rate reflects the machine as it was during the round.
 */
async function stormRound(target, hashSample) {
  const { baseUrl, signInUsers } = target;
  const hashTimes = timeSingleHash(hashSample.hash, hashSample.password, 3);
  let next = 0;
  const storm = load(
    {
      url: baseUrl,
      connections: STORM_CONNECTIONS,
      duration: SIZES.stormSeconds,
      headers: { "content-type": "application/json", origin: baseUrl },
      requests: [
        {
          method: "POST",
          path: "/api/auth/sign-in",
          setupRequest: (request) => {
            const n = signInUsers[next++ % signInUsers.length];
            request.body = JSON.stringify({ email: benchEmail(n), password: passwordOf(n) });
            return request;
          },
        },
      ],
    },
    { label: `[${target.name}] POST /api/auth/sign-in (storm)`, cpuPid: target.server.pid, machineCpu: true },
  ).then(checked);
  await sleep(1_000); // let the storm reach steady state before probing
  const alongside = await probe(target, SIZES.stormSeconds - 2, "GET /bench/protected (during storm)");
  const result = await storm;
  hashTimes.push(...timeSingleHash(hashSample.hash, hashSample.password, 3));
  return { storm: result, alongside, hashTimes };
}

/**
 * The storm's ceiling: if the server did nothing but hash, each sign-in would
 * still cost the machine the CPU PostgreSQL and the load generator spent on it,
 * so the best any server could reach is hash / (hash + that) of the ideal.
 */
function stormCeiling(rounds, singleHashMs) {
  const storms = rounds.map((r) => r.storm);
  if (!storms.every((run) => run.databaseCpuMs !== null && run.generatorCpuMs !== null)) return { ceiling: null };
  const requests = storms.reduce((sum, run) => sum + run.requests, 0);
  const databaseUs = (storms.reduce((sum, run) => sum + run.databaseCpuMs, 0) * 1000) / Math.max(1, requests);
  const generatorUs = (storms.reduce((sum, run) => sum + run.generatorCpuMs, 0) * 1000) / Math.max(1, requests);
  return {
    ceiling: {
      databaseCpuUsPerSignIn: Math.round(databaseUs),
      generatorCpuUsPerSignIn: Math.round(generatorUs),
      ratio: round((singleHashMs * 1000) / (singleHashMs * 1000 + databaseUs + generatorUs), 3),
    },
  };
}

function summariseStorm(rounds, unloaded) {
  const hashTimes = rounds.flatMap((r) => r.hashTimes);
  const singleHashMs = median(hashTimes);
  const cores = os.availableParallelism();
  return {
    cores,
    singleHashMs: round(singleHashMs, 1),
    hashSamplesMs: hashTimes.map((value) => round(value, 1)),
    idealRps: round(cores / (singleHashMs / 1000), 1),
    perRoundIdealRps: rounds.map((r) => round(cores / (median(r.hashTimes) / 1000), 1)),
    // What no server could beat on this machine: the CPU PostgreSQL and the load
    // generator (with the probe) spend per sign-in is not there for hashing.
    ...stormCeiling(rounds, singleHashMs),
    storm: combine("POST /api/auth/sign-in (50 concurrent)", rounds.map((r) => r.storm)),
    unloaded: combine("GET /bench/protected at 20 req/s, unloaded", unloaded),
    alongside: combine("GET /bench/protected at 20 req/s, during the storm", rounds.map((r) => r.alongside)),
  };
}

// --- main --------------------------------------------------------------------
async function main() {
  const startedAt = Date.now();
  const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
  const report = {
    startedAt: new Date(startedAt).toISOString(),
    mode: `${smoke ? "smoke" : "full"}${only ? ` (only ${only})` : ""}${proxyVariant ? " + proxy variant" : ""}`,
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model,
      memoryGb: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      loadAverageAtStart: os.loadavg().map((value) => round(value, 2)),
    },
    settings: {
      ...SIZES,
      bcryptCost: BCRYPT_COST,
      tokenTtlSeconds: TOKEN_TTL_SECONDS,
      signInUsers: SIGN_IN_USERS,
      databasePoolMax: process.env.DATABASE_POOL_MAX ?? "default (10)",
      passwordHashWorkers: process.env.AUTH_PASSWORD_HASH_WORKERS ?? `default (${os.availableParallelism()})`,
    },
    phases: {},
  };

  // 1. Build.
  const freshness = buildIsFresh(ROOT);
  if (buildMode === "never" || (buildMode === "auto" && freshness.fresh)) {
    if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("--no-build but there is no build");
    log("Reusing the production build (.next/BUILD_ID is newer than every source file).");
  } else {
    log(`Building (${buildMode === "always" ? "forced" : freshness.reason}): prisma generate && next build ...`);
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", DATABASE_URL: process.env.DATABASE_URL ?? serverUrl };
    if ((await foreground("prisma", "prisma", ["generate"], env)) !== 0) throw new Error("prisma generate failed");
    if ((await foreground("next", "next", ["build"], env)) !== 0) throw new Error("next build failed");
  }

  const proxyRoot = proxyVariant && (!only || only === "core" || only === "middleware") ? await prepareProxyVariant(serverUrl) : null;

  // 2. Micro-benchmark on a quiet machine, before any server exists.
  if (!only || only === "core") {
    log("Token verification micro-benchmark ...");
    const verify = spawnSync(process.execPath, [path.join(ROOT, "bench", "token-verify.mjs"), ...(SIZES.verifyQuick ? ["--quick"] : [])], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (verify.status !== 0) throw new Error(`token-verify.mjs failed:\n${verify.stderr}`);
    report.tokenVerify = JSON.parse(verify.stdout.trim().split("\n").pop());
  }

  // 3. Passwords: one shared hash for every other row, real ones for the accounts that sign in.
  log(`Hashing passwords (bcrypt cost ${BCRYPT_COST}) ...`);
  const sharedHash = bcrypt.hashSync("bench-shared-password-nobody-signs-in-with", BCRYPT_COST);
  const smallSignIn = Array.from({ length: SIGN_IN_USERS }, (_, i) => i + 1);
  // The large database signs in 50 other accounts spread over its rows.
  const largeSignIn = Array.from({ length: SIGN_IN_USERS }, (_, i) => SMALL.users + 1 + Math.floor(((i + 0.5) * (LARGE.users - SMALL.users)) / SIGN_IN_USERS));
  const hashFor = new Map();
  const core = !only || only === "core";
  const withLarge = core && !smoke;
  for (const n of [...smallSignIn, TOKEN_USER, ...(withLarge ? largeSignIn : [])]) hashFor.set(n, bcrypt.hashSync(passwordOf(n), BCRYPT_COST));

  // 4. Targets: 1k users always; the large set (1M users + 2M sessions) in full mode (own database and server).
  const small = await createTarget("1k", SMALL, serverUrl, { sharedHash, hashFor, signInUsers: smallSignIn });
  // The proxy.ts build gets its own 1k database and server, up for the middleware rows.
  const proxyTarget = proxyRoot ? await createTarget("proxy", SMALL, serverUrl, { sharedHash, hashFor, signInUsers: smallSignIn, root: proxyRoot }) : null;
  const large = withLarge ? await createTarget(LARGE.label, LARGE, serverUrl, { sharedHash, hashFor, signInUsers: largeSignIn }) : null;
  const all = [small, large].filter(Boolean);
  if (core) await otherScenarios(report, { small, large, all, hashFor, proxyTarget });
  if (only === "middleware") {
    log(`Middleware: /bench/floor (no middleware) vs /bench/public vs /bench/protected${proxyTarget ? ", Edge build and proxy.ts build interleaved" : ""} ...`);
    report.middleware = await middlewareScenario(small, proxyTarget);
  }

  // 8b. Integrations (issue 14) on the 1k server: webhook fan-out to a local receiver, template mint.
  if (!only || only === "integrations") {
    log(`Integrations: ${WEBHOOK_EVENTS} webhook events to a local receiver (vs its own capacity), template vs session token mint ...`);
    report.integrations = await integrationsScenario(small);
  }
  // 8c. First visits and memory over time (issue 18) on the 1k server.
  if (!only || only === "first-visit") {
    log("Page weight: first-load JavaScript of /sign-in vs the bare page ...");
    report.pageWeight = await pageWeightScenario(small);
    log(`First visits: /sign-in vs /bench/empty time to first byte, ${FIRST_VISITORS} new visitors at once, ${SIZES.firstVisitRounds} round(s) of ${SIZES.firstVisitSeconds} s ...`);
    report.firstVisit = await firstVisitScenario(small);
  }
  if (!only || only === "memory") {
    log(`Memory over time: ${SIZES.memorySeconds} s of ${MEMORY_RATES.pageViews} page views, ${MEMORY_RATES.refreshes} refreshes and ${MEMORY_RATES.signIns} sign-ins per second ...`);
    report.memory = await memoryScenario(small);
  }

  if (core) await indexUse(report, all);
  report.durationS = round((Date.now() - startedAt) / 1000, 1);
  report.machine.loadAverageAtEnd = os.loadavg().map((value) => round(value, 2));
  return report;
}

/** /sign-in and the bare page for new visitors (no cookie, a new connection each), alternating per round. */
async function firstVisitScenario(target) {
  const run = (pathName, seconds = SIZES.firstVisitSeconds) => firstVisits(`${target.baseUrl}${pathName}`, { visitors: FIRST_VISITORS, seconds, label: `GET ${pathName} (new visitors)` });
  // Warm-up (first renders, JIT), discarded.
  await run("/sign-in", 3);
  await run("/bench/empty", 3);
  const rounds = { signIn: [], empty: [] };
  for (let i = 0; i < SIZES.firstVisitRounds; i++) {
    for (const pathName of ordered(["/sign-in", "/bench/empty"], i)) {
      const result = await run(pathName);
      if (!result.ok) checked(result);
      (pathName === "/sign-in" ? rounds.signIn : rounds.empty).push(result);
    }
  }
  return { visitors: FIRST_VISITORS, ...rounds };
}

/** The steady mix on the 1k server, sampled every 5 s (bench/lib/memory.mjs). */
async function memoryScenario(target) {
  const { cookie } = await signIn(target.baseUrl, TOKEN_USER);
  const clients = Array.from({ length: SMALL.sessions }, (_, i) => clientToken(i + 1));
  const user = target.signInUsers[0];
  const result = await memoryOverTime({
    baseUrl: target.baseUrl,
    pid: target.server.pid,
    seconds: SIZES.memorySeconds,
    warmUpSeconds: SIZES.memoryWarmUpSeconds,
    pageCookie: cookie,
    clientCookies: clients,
    signInBody: JSON.stringify({ email: benchEmail(user), password: passwordOf(user) }),
    rates: MEMORY_RATES,
  });
  if (!result.ok) checked(result);
  return result;
}

/** First-load JavaScript of /sign-in, the bare page and /sign-up (gzip -9 of every <script src>). */
async function pageWeightScenario(target) {
  const signInWeight = await pageWeight(target.baseUrl, "/sign-in");
  const emptyWeight = await pageWeight(target.baseUrl, "/bench/empty");
  const signUpWeight = await pageWeight(target.baseUrl, "/sign-up");
  return {
    gzipLevel: 9,
    signIn: signInWeight,
    empty: emptyWeight,
    signUp: { ...signUpWeight, chunks: signUpWeight.chunks.slice(0, 5) },
    dictionaryChunksInBuild: await dictionaryChunksInBuild(fs, path, path.join(ROOT, ".next", "static")),
  };
}

/** The first round's scenarios but page weight, in order (steps 6 to 8). */
async function otherScenarios(report, { small, large, all, hashFor, proxyTarget }) {
  // 6. Middleware overhead (1k server: middleware never touches the database).
  log(`Middleware: /bench/floor (no middleware) vs /bench/public vs /bench/protected${proxyTarget ? ", Edge build and proxy.ts build interleaved" : ""} ...`);
  report.middleware = await middlewareScenario(small, proxyTarget);

  // 7. Refresh vs db-read, interleaved between the targets round by round.
  for (const target of all) {
    target.pools = sessionPools(target, SIZES.dbRounds);
    target.refreshRounds = [];
    target.stormRounds = [];
    target.unloaded = [];
    target.scansBefore = await seqScans(target.admin);
  }
  log(`Handshake/refresh vs one indexed read: ${SIZES.dbRounds} round(s) of ${SIZES.dbAmount} requests at ${REFRESH_CONNECTIONS} connections${large ? `, 1k and ${large.name} interleaved` : ""} ...`);
  for (let r = 0; r < SIZES.dbRounds; r++) {
    for (const target of ordered(all, r)) target.refreshRounds.push(await refreshRound(target, target.pools[r], { warmUp: r === 0 }));
  }

  // 7b. Admin user list and search (lib/admin searchUsers), interleaved likewise.
  log(`Admin user list and search: ${SIZES.adminRounds} round(s) of ${SIZES.adminAmount} requests each at ${ADMIN_CONNECTIONS} connections ...`);
  for (const target of all) target.adminRounds = [];
  for (let r = 0; r < SIZES.adminRounds; r++) {
    for (const target of ordered(all, r)) target.adminRounds.push(await adminRound(target, { warmUp: r === 0 }));
  }

  // 8. Sign-in storm with the protected-page probe alongside, interleaved likewise.
  log(`Password sign-in storm: ${SIZES.stormRounds} round(s) of ${SIZES.stormSeconds} s, ${STORM_CONNECTIONS} concurrent, cost ${BCRYPT_COST} ...`);
  for (const target of all) await probe(target, 2, "warm-up");
  for (let r = 0; r < SIZES.stormRounds; r++) {
    for (const target of ordered(all, r)) {
      target.unloaded.push(await probe(target, SIZES.unloadedSeconds, "GET /bench/protected (unloaded)"));
      const sample = { hash: hashFor.get(target.signInUsers[0]), password: passwordOf(target.signInUsers[0]) };
      target.stormRounds.push(await stormRound(target, sample));
    }
  }
}

/** Step 9 and the per-target phases of the report. */
async function indexUse(report, all) {
  // 9. Index use: plans of the hot queries, and sequential scans the app made under load.
  if (!smoke) await sleep(11_000); // backends flush table statistics within 10 s of going idle
  for (const target of all) {
    const after = await seqScans(target.admin);
    const seqScansDuring = Object.fromEntries(
      Object.keys(after).map((table) => [
        table,
        { seq: after[table].seq - (target.scansBefore[table]?.seq ?? 0), idx: after[table].idx - (target.scansBefore[table]?.idx ?? 0) },
      ]),
    );
    const plans = await explainHotQueries(target.admin, { sessionNumber: target.pools[0][0], userNumber: target.signInUsers[0] });
    plans.push(...(await explainAdminQueries(target, target.signInUsers[0])));
    const rounds = target.refreshRounds;
    report.phases[target.name] = {
      counts: target.counts,
      refresh: {
        dbRead: combine("GET /api/bench/db-read (1 indexed read)", rounds.map((x) => x.dbRead)),
        refresh: combine("POST /api/auth/session/refresh (every request writes lastActiveAt)", rounds.map((x) => x.refresh)),
        refreshNoWrite: combine("POST /api/auth/session/refresh (lastActiveAt fresh, no write)", rounds.map((x) => x.refreshNoWrite)),
      },
      admin: {
        list: combine("GET /api/bench/admin-users (admin list pages)", target.adminRounds.map((x) => x.list)),
        search: combine("GET /api/bench/admin-users?query= (admin search)", target.adminRounds.map((x) => x.search)),
      },
      storm: summariseStorm(target.stormRounds, target.unloaded),
      seqScansDuring,
      plans,
    };
  }
}

// --- integrations (issue 14): webhook fan-out and JWT template mint ----------------
const WEBHOOK_EVENTS = 1_000;
const WEBHOOK_WARMUP_EVENTS = 500;
/** What the portal keeps in flight to one endpoint (lib/webhooks/channel.ts: 2 lanes x 32). */
const WEBHOOK_RECEIVER_CONNECTIONS = 64;
const MINT_CONNECTIONS = 10;

async function postBench(target, body) {
  // Not a public route: it carries a signed-in __session, as /api/bench/db-read does.
  target.benchCookie ??= (await signIn(target.baseUrl, TOKEN_USER)).cookie;
  const response = await fetch(`${target.baseUrl}/api/bench/integrations`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: target.baseUrl, cookie: target.benchCookie },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /api/bench/integrations ${body.action} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function startReceiver(databaseUrl) {
  const child = start(process.execPath, [path.join(ROOT, "bench", "webhook-receiver.mjs"), databaseUrl], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
    let buffered = "";
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const line = buffered.split("\n").find((candidate) => candidate.includes('"port"'));
      if (line) resolve(JSON.parse(line).port);
    });
    child.once("exit", (code) => reject(new Error(`webhook receiver exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

const receiverStats = async (receiver) => (await fetch(`${receiver.url}/stats`)).json();

/**
 * The receiver's own capacity: signed deliveries straight from autocannon at
 * the concurrency the portal delivers with, each a new svix-id (so each one
 * is verified and stored, as the portal's are), each carrying the event data
 * the fan-out delivers (`data`, as the emit answered it): the receiver hashes
 * and stores every byte, so a smaller stand-in body would measure a cheaper
 * workload than the one delivered.
 */
async function receiverCapacity(receiver, secret, data) {
  const sign = svixSigner(secret);
  let n = 0;
  const result = await load(
    {
      url: `${receiver.url}/webhook`,
      connections: WEBHOOK_RECEIVER_CONNECTIONS,
      duration: SIZES.verifyQuick ? 3 : 5,
      requests: [
        {
          method: "POST",
          setupRequest: (request) => {
            const id = `msg_capacity_${++n}`;
            const timestamp = new Date();
            const body = JSON.stringify({ type: "user.updated", object: "event", data, timestamp: timestamp.getTime() });
            return {
              ...request,
              body,
              headers: {
                "content-type": "application/json",
                "svix-id": id,
                "svix-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
                "svix-signature": sign(id, Math.floor(timestamp.getTime() / 1000), body),
              },
            };
          },
        },
      ],
    },
    { expect: 204, label: "receiver capacity (POST signed event, verify + store)", cpuPid: receiver.child.pid },
  );
  return checked(result);
}

/**
 * 1000 events through the real emit path (committed in one transaction),
 * then drained by the server (kicked after the response, as every change is);
 * delivery time runs from the commit of the last event to the last one stored.
 * The emit time is reported on its own: it is the cost the changing
 * transactions pay, not delivery.
 */
async function fanOutRound(target, receiver, events = WEBHOOK_EVENTS) {
  await fetch(`${receiver.url}/reset`, { method: "POST" });
  const started = Date.now();
  const { data } = await postBench(target, { action: "emit", count: events });
  const enqueuedAt = Date.now();
  // CPU per delivery of the portal (its drain) and of the receiver: a cross-check far less
  // sensitive to other load on the machine than delivered/s. Counted from the commit on.
  const cpuBefore = { portal: processCpuMs(target.server.pid), receiver: processCpuMs(receiver.child.pid) };
  let stats;
  await waitFor(
    `${events} webhook deliveries`,
    async () => {
      stats = await receiverStats(receiver);
      return stats.unique >= events;
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  const seconds = (stats.lastAt - enqueuedAt) / 1000;
  const cpuUs = (pid, before) => (before === null ? null : Math.round(((processCpuMs(pid) - before) * 1000) / events));
  return {
    portalCpuUsPerDelivery: cpuUs(target.server.pid, cpuBefore.portal),
    receiverCpuUsPerDelivery: cpuUs(receiver.child.pid, cpuBefore.receiver),
    events,
    enqueueMs: enqueuedAt - started,
    firstDeliveryAfterEnqueueMs: stats.firstAt - enqueuedAt,
    seconds: round(seconds, 3),
    deliveredPerSecond: round(events / seconds, 1),
    eventBytes: Buffer.byteLength(JSON.stringify({ type: "user.updated", object: "event", data, timestamp: 0 })),
    data,
    duplicates: stats.duplicates,
    rejected: stats.rejected,
  };
}

/** POST /api/auth/session/token with and without a template: the template mint vs the session-token mint. */
async function mintScenario(target) {
  const { baseUrl } = target;
  await postBench(target, { action: "template", name: "bench" });
  const { cookie } = await signIn(baseUrl, TOKEN_USER);
  const run = (template) =>
    load(
      {
        url: `${baseUrl}/api/auth/session/token`,
        method: "POST",
        connections: MINT_CONNECTIONS,
        duration: SIZES.verifyQuick ? 3 : 5,
        headers: { "content-type": "application/json", origin: baseUrl, cookie },
        body: JSON.stringify(template ? { template } : {}),
      },
      { label: `POST /api/auth/session/token ${template ? `{ template: "${template}" }` : "{} (session token)"}`, cpuPid: target.server.pid },
    ).then(checked);
  await run("bench"); // warm-up, discarded
  await run(null);
  const template = [];
  const session = [];
  for (let i = 0; i < (SIZES.verifyQuick ? 1 : 3); i++) {
    for (const which of ordered(["bench", null], i)) (which ? template : session).push(await run(which));
  }
  return { template: combine("template token mint", template), session: combine("session token mint", session) };
}

async function integrationsScenario(target) {
  const receiver = await startReceiver(target.database.url);
  try {
    const { secret } = await postBench(target, { action: "endpoint", url: `${receiver.url}/webhook` });
    await fetch(`${receiver.url}/configure`, { method: "POST", body: JSON.stringify({ secret }) });
    const capacity = [];
    const fanOut = [];
    // Warm-up, discarded (as the other scenarios do): the first drain of a fresh server runs cold code.
    const { data } = await fanOutRound(target, receiver, WEBHOOK_WARMUP_EVENTS);
    // Three rounds, not two (since 2026-12-02): each fan-out lasts under a second, and two rounds' mean swung across the budget.
    for (let i = 0; i < SIZES.fanOutRounds; i++) {
      await fetch(`${receiver.url}/reset`, { method: "POST" });
      capacity.push(await receiverCapacity(receiver, secret, data));
      const { data: _delivered, ...round } = await fanOutRound(target, receiver);
      fanOut.push(round);
    }
    return { webhooks: { capacity: combine("receiver capacity", capacity), fanOut }, mint: await mintScenario(target) };
  } finally {
    await stop(receiver.child, { graceMs: 2_000 });
  }
}

// --- budgets and output -----------------------------------------------------------
/**
 * Each ratio is the median of per-round ratios of figures measured next to
 * each other in time (public/protected, db-read/refresh, 1k/1M alternate
 * round by round), so a burst of other load on a shared machine moves one
 * round, not the verdict. Totals over all rounds are printed alongside.
 */
function budgets(report) {
  const rows = [];
  const add = (name, ratio, op, limit, figures, perRound = null) => {
    const pass = ratio !== null && Number.isFinite(ratio) && (op === ">=" ? ratio >= limit : op === "<=" ? ratio <= limit : ratio < limit);
    rows.push({ name, ratio: round(ratio, 3), budget: `${op} ${limit}`, pass, figures, perRound: perRound?.map((value) => round(value, 3)) ?? null });
  };
  const paired = (numerators, denominators) => numerators.map((value, i) => value / denominators[i]);
  const okRps = (combined) => combined.raw.map((run) => run.okRps);
  // Throughput of a CPU-bound server is inversely proportional to its CPU per request, which other
  // load on the machine disturbs far less: printed next to each throughput ratio as a cross-check.
  const cpuRatio = (slower, faster) =>
    slower.serverCpuUsPerRequest && faster.serverCpuUsPerRequest
      ? `; by server CPU/req: ${round(faster.serverCpuUsPerRequest / slower.serverCpuUsPerRequest, 3)} (${slower.serverCpuUsPerRequest} vs ${faster.serverCpuUsPerRequest} us)` +
        (slower.databaseCpuUsPerRequest && faster.databaseCpuUsPerRequest
          ? `; PostgreSQL CPU/req ${slower.databaseCpuUsPerRequest} vs ${faster.databaseCpuUsPerRequest} us`
          : "")
      : "";

  // Absent when the run was --only another scenario.
  const mw = report.middleware;
  if (mw) {
    const mwRatios = paired(okRps(mw.protected), okRps(mw.public));
    add(
      "Middleware overhead: protected / public rps",
      median(mwRatios),
      ">=",
      0.9,
      `${mw.protected.okRps} / ${mw.public.okRps} req/s overall${cpuRatio(mw.protected, mw.public)}`,
      mwRatios,
    );
    // Absent from results saved before the floor page existed.
    if (mw.floor) {
      const baseRatios = paired(okRps(mw.public), okRps(mw.floor));
      add(
        "Middleware base cost: public / floor rps (Edge)",
        median(baseRatios),
        ">=",
        0.85,
        `${mw.public.okRps} / ${mw.floor.okRps} req/s overall${cpuRatio(mw.public, mw.floor)}`,
        baseRatios,
      );
    }
  }
  const p1 = report.phases["1k"];
  if (p1) {
    const tv = report.tokenVerify;
    add("Token verify: cold jwtVerify / cache hit", tv.coldJwtVerifyNs / tv.cacheHitNs, ">=", 20, `${round(tv.coldJwtVerifyNs / 1000, 1)} us / ${round(tv.cacheHitNs, 0)} ns per call`);

    const refreshRatios = paired(okRps(p1.refresh.refresh), okRps(p1.refresh.dbRead));
    add(
      "Refresh (20 conc.) / one indexed read rps",
      median(refreshRatios),
      ">=",
      0.5,
      `${p1.refresh.refresh.okRps} / ${p1.refresh.dbRead.okRps} req/s; refresh p99 ${p1.refresh.refresh.p99} ms${cpuRatio(p1.refresh.refresh, p1.refresh.dbRead)}`,
      refreshRatios,
    );
    const stormRatios = paired(okRps(p1.storm.storm), p1.storm.perRoundIdealRps);
    add(
      "Sign-in storm rps / (cores / single hash)",
      median(stormRatios),
      ">=",
      0.9,
      `${p1.storm.storm.okRps} / (${p1.storm.cores} / ${p1.storm.singleHashMs} ms = ${p1.storm.idealRps}) req/s; event-loop CPU per sign-in ${p1.storm.storm.serverMainThreadUsPerRequest} us of ${p1.storm.storm.serverCpuUsPerRequest} us server CPU` +
        (p1.storm.ceiling
          ? `; ceiling for any server here ${p1.storm.ceiling.ratio} (PostgreSQL ${p1.storm.ceiling.databaseCpuUsPerSignIn} us + load generator ${p1.storm.ceiling.generatorCpuUsPerSignIn} us CPU per sign-in)`
          : ""),
      stormRatios,
    );
    const p99Ratios = paired(p1.storm.alongside.raw.map((run) => run.latencyMs.p99), p1.storm.unloaded.raw.map((run) => run.latencyMs.p99));
    add("Protected p99 during storm / unloaded p99", median(p99Ratios), "<", 3, `${p1.storm.alongside.p99} / ${p1.storm.unloaded.p99} ms`, p99Ratios);
  }

  const pw = report.pageWeight;
  if (pw) {
    const addedKb = (pw.signIn.gzipBytes - pw.empty.gzipBytes) / KB;
    add("/sign-in JS over empty page (kB gzip)", addedKb, "<=", 15, `${round(pw.signIn.gzipBytes / KB, 1)} - ${round(pw.empty.gzipBytes / KB, 1)} kB`);
    add(
      "zxcvbn dictionaries in /sign-in first load (count)",
      pw.signIn.dictionaryChunks.length,
      "<=",
      0,
      `lazy dictionary chunks in the build: ${pw.dictionaryChunksInBuild.length}`,
    );
  }

  const integ = report.integrations;
  if (integ) {
    const capacity = integ.webhooks.capacity.okRps;
    const fanOut = integ.webhooks.fanOut;
    const fanOutRatios = fanOut.map((run, i) => run.deliveredPerSecond / integ.webhooks.capacity.perRunOkRps[i]);
    add(
      "Webhooks: delivered/s (1000 events) / receiver capacity",
      median(fanOutRatios),
      ">=",
      0.5,
      `${fanOut.map((run) => run.deliveredPerSecond).join(", ")} / ${capacity} per s; duplicates ${fanOut.map((run) => run.duplicates).join(", ")}; ` +
        `CPU per delivery: portal ${fanOut.map((run) => run.portalCpuUsPerDelivery).join(", ")} us, receiver ${fanOut.map((run) => run.receiverCpuUsPerDelivery).join(", ")} us ` +
        `(${integ.webhooks.capacity.serverCpuUsPerRequest} us per request from autocannon); events of ${fanOut[0]?.eventBytes} bytes, the same in both`,
      fanOutRatios,
    );
    const mintRatios = paired(okRps(integ.mint.session), okRps(integ.mint.template));
    add(
      "JWT template mint cost / session token mint (rps inverse)",
      median(mintRatios),
      "<=",
      2,
      `${integ.mint.template.okRps} / ${integ.mint.session.okRps} req/s (template / session)`,
      mintRatios,
    );
  }

  const fv = report.firstVisit;
  if (fv) {
    const ratios = paired(fv.signIn.map((run) => run.ttfbMs.p99), fv.empty.map((run) => run.ttfbMs.p99));
    add(
      `/sign-in TTFB p99 / bare page's (${fv.visitors} new visitors)`,
      median(ratios),
      "<=",
      2,
      `${fv.signIn.map((run) => run.ttfbMs.p99).join(", ")} / ${fv.empty.map((run) => run.ttfbMs.p99).join(", ")} ms (p50 ${fv.signIn[0].ttfbMs.p50} / ${fv.empty[0].ttfbMs.p50} ms)`,
      ratios,
    );
  }
  const mem = report.memory;
  if (mem) {
    add(
      `Memory: RSS growth after warm-up (${mem.seconds} s mix)`,
      mem.rssGrowth,
      "<",
      0.1,
      `${mem.rssMb.atWarmUp} MB at ${mem.warmUpSeconds} s -> ${mem.rssMb.atEnd} MB before the last collections; ${Object.entries(mem.loads).map(([name, l]) => `${name} ${l.requests}`).join(", ")} requests`,
    );
    add(
      "Memory: live heap growth after warm-up (after full GC)",
      mem.heapGrowth,
      "<",
      0.1,
      `${mem.heapUsedMb.atWarmUp} MB -> ${mem.heapUsedMb.atEnd} MB reachable after a full collection (lowest plain samples ${mem.heapLowestMb.atWarmUp} -> ${mem.heapLowestMb.atEnd} MB)`,
    );
  }

  const largeName = Object.keys(report.phases).find((name) => name !== "1k");
  const p2 = largeName && report.phases[largeName];
  if (p1 && p2) {
    const signInScale = paired(okRps(p2.storm.storm), okRps(p1.storm.storm));
    add(`Scale: sign-in rps ${largeName} / 1k`, median(signInScale), ">=", 0.9, `${p2.storm.storm.okRps} / ${p1.storm.storm.okRps} req/s${cpuRatio(p2.storm.storm, p1.storm.storm)}`, signInScale);
    const refreshScale = paired(okRps(p2.refresh.refresh), okRps(p1.refresh.refresh));
    add(`Scale: refresh rps ${largeName} / 1k`, median(refreshScale), ">=", 0.9, `${p2.refresh.refresh.okRps} / ${p1.refresh.refresh.okRps} req/s${cpuRatio(p2.refresh.refresh, p1.refresh.refresh)}`, refreshScale);
    if (p1.admin && p2.admin) {
      const listScale = paired(okRps(p2.admin.list), okRps(p1.admin.list));
      add(`Scale: admin list rps ${largeName} / 1k`, median(listScale), ">=", 0.8, `${p2.admin.list.okRps} / ${p1.admin.list.okRps} req/s${cpuRatio(p2.admin.list, p1.admin.list)}`, listScale);
      const searchScale = paired(okRps(p2.admin.search), okRps(p1.admin.search));
      add(`Scale: admin search rps ${largeName} / 1k`, median(searchScale), ">=", 0.8, `${p2.admin.search.okRps} / ${p1.admin.search.okRps} req/s${cpuRatio(p2.admin.search, p1.admin.search)}`, searchScale);
    }
    const unindexed = p2.plans.filter((plan) => !plan.usesIndex).length;
    const bigSeq = Object.entries(p2.seqScansDuring).filter(([, value]) => value.seq > 0);
    add(
      `Scale: hot queries not on an index (${largeName})`,
      unindexed + bigSeq.length,
      "<=",
      0,
      `plans without index: ${unindexed}; tables seq-scanned under load: ${bigSeq.map(([t]) => t).join(", ") || "none"}`,
    );
  }
  return rows;
}

function pad(value, width) {
  const text = String(value);
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function printReport(report, rows) {
  const lines = [];
  lines.push("", `Raw figures (${report.mode} run, ${report.machine.cpus} CPUs, ${report.machine.cpuModel}, Node ${report.machine.node}, load average at start ${report.machine.loadAverageAtStart.join(" ")})`);
  const latency = (run) => `p50 ${run.p50 ?? run.latencyMs?.p50} ms, p99 ${run.p99 ?? run.latencyMs?.p99} ms`;
  const row = (label, run) =>
    lines.push(
      `  ${pad(label, 66)} ${pad(`${round(run.okRps, 1)} req/s`, 14)} ${pad(latency(run), 24)}${run.serverCpuUsPerRequest ? ` server CPU ${run.serverCpuUsPerRequest} us/req (event loop ${run.serverMainThreadUsPerRequest})` : ""}`,
    );
  if (report.middleware) {
    const mw = report.middleware;
    for (const rows of [mw, mw.proxy].filter(Boolean)) {
      for (const key of ["floor", "public", "protected"]) if (rows[key]) row(rows[key].label, rows[key]);
    }
    if (mw.proxy) {
      // Not a budget (the issue's budget is the Edge build's): what a self-hosted server would gain from proxy.ts.
      const ratios = (a, b) => a.raw.map((run, i) => run.okRps / b.raw[i].okRps);
      const spread = (values) => `${round(median(values), 3)} (per round ${values.map((value) => round(value, 3)).join(", ")})`;
      const cpu = (slower, faster) => `by server CPU/req ${round(faster.serverCpuUsPerRequest / slower.serverCpuUsPerRequest, 3)} (${slower.serverCpuUsPerRequest} vs ${faster.serverCpuUsPerRequest} us)`;
      lines.push(`  proxy.ts (Node) base cost, public / floor: ${spread(ratios(mw.proxy.public, mw.proxy.floor))}; ${cpu(mw.proxy.public, mw.proxy.floor)}`);
      lines.push(`  proxy.ts (Node) protected / public: ${spread(ratios(mw.proxy.protected, mw.proxy.public))}; ${cpu(mw.proxy.protected, mw.proxy.public)}`);
      lines.push(`  /bench/public, proxy.ts build / Edge build: ${spread(ratios(mw.proxy.public, mw.public))}; ${cpu(mw.public, mw.proxy.public)}`);
    }
  }
  if (report.tokenVerify) {
    const tv = report.tokenVerify;
    lines.push(`  token verify: cold jwtVerify ${round(tv.coldJwtVerifyNs / 1000, 1)} us, cache miss ${round(tv.cacheMissNs / 1000, 1)} us, cache hit ${round(tv.cacheHitNs, 0)} ns per call`);
    for (const [name, phase] of Object.entries(report.phases)) {
      lines.push(`  -- ${name} users (${phase.counts.users} users, ${phase.counts.sessions} sessions)`);
      row(phase.refresh.dbRead.label, phase.refresh.dbRead);
      row(phase.refresh.refresh.label, phase.refresh.refresh);
      row(phase.refresh.refreshNoWrite.label, phase.refresh.refreshNoWrite);
      if (phase.admin) {
        row(phase.admin.list.label, phase.admin.list);
        row(phase.admin.search.label, phase.admin.search);
      }
      const s = phase.storm;
      row(s.storm.label, s.storm);
      lines.push(`  ${pad(`  single bcrypt compare (cost ${BCRYPT_COST}), median around the storms`, 66)} ${s.singleHashMs} ms -> ideal ${s.idealRps} req/s on ${s.cores} cores`);
      if (s.ceiling) {
        lines.push(
          `  ${pad("  CPU per sign-in outside the server: PostgreSQL + load generator", 66)} ${s.ceiling.databaseCpuUsPerSignIn} + ${s.ceiling.generatorCpuUsPerSignIn} us -> ceiling ${s.ceiling.ratio} of ideal`,
        );
      }
      row(s.unloaded.label, s.unloaded);
      row(s.alongside.label, s.alongside);
      lines.push(`  seq scans during the phase: ${Object.entries(phase.seqScansDuring).map(([t, v]) => `${t} ${v.seq} (idx ${v.idx})`).join(", ")}`);
    }
    const last = Object.values(report.phases).at(-1);
    lines.push(`  query plans (${last.counts.users} users):`);
    for (const plan of last.plans) {
      lines.push(`    ${plan.name}: ${plan.usesIndex ? "index" : "NO INDEX"}`);
      for (const line of plan.plan) lines.push(`      ${line}`);
    }
  }
  if (report.pageWeight) {
    const pw = report.pageWeight;
    lines.push(`  page weight (gzip -9 of <script src>): /sign-in ${round(pw.signIn.gzipBytes / KB, 1)} kB in ${pw.signIn.scripts} scripts, /bench/empty ${round(pw.empty.gzipBytes / KB, 1)} kB in ${pw.empty.scripts}, /sign-up ${round(pw.signUp.gzipBytes / KB, 1)} kB`);
    lines.push("  largest /sign-in chunks:");
    for (const chunk of pw.signIn.chunks.slice(0, 6)) {
      const inEmpty = pw.empty.chunks.some((other) => other.src === chunk.src);
      lines.push(`    ${pad(`${round(chunk.gzipBytes / KB, 1)} kB`, 10)} ${chunk.src}${inEmpty ? "" : "   (not on the empty page)"}`);
    }
    lines.push(`  zxcvbn dictionary chunks: in /sign-in first load ${pw.signIn.dictionaryChunks.length}, in the build (lazy) ${pw.dictionaryChunksInBuild.length}`);
  }
  if (report.firstVisit) {
    for (const run of [...report.firstVisit.signIn, ...report.firstVisit.empty]) {
      lines.push(`  ${pad(run.label, 66)} ${pad(`${run.rps} req/s`, 14)} TTFB p50 ${run.ttfbMs.p50} ms, p99 ${run.ttfbMs.p99} ms`);
    }
  }
  if (report.memory) {
    const mem = report.memory;
    lines.push(`  memory over ${mem.seconds} s (${Object.entries(mem.loads).map(([name, l]) => `${name} ${l.rps}/s`).join(", ")}): RSS ${mem.rssMb.atWarmUp} -> ${mem.rssMb.atEnd} MB, live heap after a full collection ${mem.heapUsedMb.atWarmUp} -> ${mem.heapUsedMb.atEnd} MB`);
    lines.push(`    full collections (s: heap MB): ${(mem.collected ?? []).map((c) => `${c.atS}: ${c.heapUsedMb}`).join(", ")}`);
    lines.push(`    samples (s: RSS MB / heap MB): ${mem.samples.filter((_, i) => i % 6 === 0).map((x) => `${x.atS}: ${x.rssMb}/${x.heapUsedMb}`).join(", ")}`);
  }
  const busy = Math.max(report.machine.loadAverageAtStart[0], report.machine.loadAverageAtEnd[0]) > report.machine.cpus;
  if (busy) {
    lines.push(
      "",
      `  ! The machine was busy with other work (1-min load average ${report.machine.loadAverageAtStart[0]} at start, ${report.machine.loadAverageAtEnd[0]} at end, ${report.machine.cpus} CPUs):`,
      "  ! throughput ratios are noisier than usual; the per-round ratios and server CPU per request show how much.",
    );
  }
  lines.push("", "Budgets (ratios within this run)");
  lines.push(`  ${pad("Budget", 52)} ${pad("Ratio", 9)} ${pad("Limit", 8)} ${pad("Result", 7)} Figures`);
  for (const budget of rows) {
    lines.push(`  ${pad(budget.name, 52)} ${pad(budget.ratio, 9)} ${pad(budget.budget, 8)} ${pad(budget.pass ? "PASS" : "FAIL", 7)} ${budget.figures}`);
    if (budget.perRound && budget.perRound.length > 1) lines.push(`  ${pad("", 52)} per round: ${budget.perRound.join(", ")} (median taken)`);
  }
  console.log(lines.join("\n"));
}

// `--report FILE`: print the table of a saved run again (budgets recomputed from its raw figures).
const reportIndex = argv.indexOf("--report");
if (reportIndex >= 0) {
  const saved = JSON.parse(fs.readFileSync(argv[reportIndex + 1], "utf8"));
  printReport(saved, budgets(saved));
  process.exit(0);
}

let status = 1;
try {
  const report = await main();
  const rows = budgets(report);
  report.budgets = rows;
  report.problems = problems;
  printReport(report, rows);
  const resultsDir = path.join(ROOT, "bench", "results");
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${report.startedAt.replace(/[:.]/g, "-")}${smoke ? "-smoke" : ""}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const failed = rows.filter((budget) => !budget.pass);
  console.log(`\n[bench] ${rows.length - failed.length}/${rows.length} budgets pass; results in ${path.relative(process.cwd(), file)}; ${report.durationS} s`);
  if (problems.length > 0) {
    console.error(`[bench] ✖ ${problems.length} scenario(s) errored: the figures above are not trustworthy.`);
    status = 1;
  } else if (failed.length > 0 && !smoke) {
    console.error(`[bench] ✖ budget(s) failed: ${failed.map((budget) => budget.name).join("; ")}`);
    status = 1;
  } else {
    if (failed.length > 0) log(`smoke mode: ${failed.length} budget(s) failed, not enforced`);
    status = 0;
  }
} catch (error) {
  console.error(`[bench] ✖ ${error.stack ?? error.message}`);
  for (const target of targets) {
    if (!target.log || !fs.existsSync(target.log)) continue;
    const tail = fs.readFileSync(target.log, "utf8").trimEnd().split("\n").slice(-30).join("\n");
    if (tail) console.error(`[bench] Last output of the ${target.name} server (${target.log}):\n${tail}`);
  }
  status = 1;
} finally {
  await cleanup();
}
process.exit(interrupted ? 130 : status);
