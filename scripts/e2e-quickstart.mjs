#!/usr/bin/env node
// The README's quick start, end to end (`npm run test:quickstart`; `npm test`'s third suite):
//   1. a fresh clone's state: a new temporary data dir (PORTAL_DATA_DIR), no
//      .next/dev, a free port, and no other configuration: no DATABASE_URL, no
//      SMTP_URL, no AUTH_SECRET;
//   2. `node scripts/run.mjs dev`, what `npm run dev` runs: embedded PGlite on a
//      pool of ONE connection, a dev secret, migrations, `next dev`;
//   3. waits for /api/health and runs Playwright on e2e-quickstart/ (one new
//      user's whole walk in one browser, at a person's pace);
//   4. stops the server and removes the data dir, whatever happened.
// Bugs that only show on the one-connection pool (a query inside an open
// transaction waiting for a second connection) are invisible to the e2e suite
// on real PostgreSQL; this suite is where they fail.
// Extra arguments go to `playwright test`. QUICKSTART_PAUSE_MS=<ms> shortens
// the 3–5 s pause between steps (local iteration only; CI uses the real pace).
// JSON report: QUICKSTART_JSON_REPORT (default playwright-report/quickstart-results.json);
// server output, time-stamped: playwright-report/quickstart-server.log
// (QUICKSTART_SERVER_LOG=inherit also streams it).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, httpStatus, waitFor } from "./lib/net.mjs";
import { exitStatus, exited, nodeBin, ROOT, start, stop } from "./lib/proc.mjs";

const REPORT_DIR = path.join(ROOT, "playwright-report");
const SERVER_LOG = path.join(REPORT_DIR, "quickstart-server.log");
// While next dev runs the log is written outside the project: next dev watches the project
// directory, and a file changing there on every request makes the pages reload in a loop.
const LIVE_LOG = path.join(os.tmpdir(), `portal-quickstart-server-${process.pid}.log`);
const JSON_REPORT = path.resolve(ROOT, process.env.QUICKSTART_JSON_REPORT ?? path.join(REPORT_DIR, "quickstart-results.json"));
// Only what any shell has: the quick start is "no config", so none of the portal's variables pass through.
const SYSTEM_ENV = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TMPDIR", "TZ", "CI"];

const log = (message) => console.log(`[quickstart ${new Date().toISOString().slice(11, 19)}] ${message}`);
/** Who the walk's admin is (e2e-quickstart/quickstart.spec.ts signs up with it). */
const QUICKSTART_ADMIN_EMAIL = "quickstart-admin@example.com";

let current = null; // Playwright while it runs
let interrupted = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    log(`${signal}: stopping and cleaning up ...`);
    current?.kill(signal);
  });
}

/** Copies a child's output into the log, each line time-stamped so it lines up with the walk's steps. */
function timestamped(stream, out, echo) {
  let partial = "";
  stream.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop();
    for (const line of lines) {
      const stamped = `${new Date().toISOString().slice(11, 23)} ${line}\n`;
      out.write(stamped);
      if (echo) process.stdout.write(stamped);
    }
  });
}

/** The end of the server log, without the 2xx/3xx request lines (the waiting tab polls every 2 s). */
function showServerLog(lines = 60) {
  try {
    const tail = fs
      .readFileSync(SERVER_LOG, "utf8")
      .trimEnd()
      .split("\n")
      .filter((line) => !/ (GET|POST|HEAD) \S+ [23]\d\d in /.test(line))
      .slice(-lines);
    if (tail[0]) console.error(`[quickstart] Last server output (2xx/3xx request lines left out):\n${tail.join("\n")}`);
  } catch {
    /* no log yet */
  }
}

/** The pid of a `next dev` running in this checkout (its lock in .next/dev), or null. */
function runningDevServer() {
  try {
    const { pid } = JSON.parse(fs.readFileSync(path.join(ROOT, ".next", "dev", "lock"), "utf8"));
    process.kill(pid, 0);
    return pid;
  } catch {
    return null; // no lock, unreadable, or its process is gone
  }
}

async function main() {
  fs.rmSync(JSON_REPORT, { force: true }); // never let a stale report be read as this run's
  const devPid = runningDevServer();
  if (devPid) throw new Error(`\`next dev\` (pid ${devPid}) is running in this checkout: stop it first (one dev server per .next/dev).`);
  // Start as a fresh clone does. (A .next/dev left by a run in another environment, and this
  // one's port and data dir are new, would be dropped by the runner anyway: restored across an
  // environment change, Turbopack's dev cache reloads pages in a loop; scripts/lib/dev-cache.mjs.)
  fs.rmSync(path.join(ROOT, ".next", "dev"), { recursive: true, force: true });
  fs.mkdirSync(REPORT_DIR, { recursive: true });
  const dotenv = [".env", ".env.local", ".env.development", ".env.development.local"].filter((file) =>
    fs.existsSync(path.join(ROOT, file)),
  );
  if (dotenv.length) log(`Note: ${dotenv.join(", ")} will be loaded by the runner, as \`npm run dev\` would.`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-quickstart-"));
  const port = await freePort();
  const baseURL = `http://localhost:${port}`;
  // The README's one optional step for admins: ADMIN_EMAILS on the command line (the walk's last part).
  const env = { NEXT_TELEMETRY_DISABLED: "1", PORT: String(port), PORTAL_DATA_DIR: dataDir, ADMIN_EMAILS: QUICKSTART_ADMIN_EMAIL };
  for (const name of SYSTEM_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];

  let server = null;
  let status = 1;
  const out = fs.createWriteStream(LIVE_LOG);
  try {
    log(`Starting \`node scripts/run.mjs dev\` on ${baseURL}, data in ${dataDir} (no other configuration) ...`);
    // Own process group: teardown stops the runner, next dev and its workers together.
    server = start(process.execPath, [path.join(ROOT, "scripts", "run.mjs"), "dev"], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const echo = process.env.QUICKSTART_SERVER_LOG === "inherit";
    timestamped(server.stdout, out, echo);
    timestamped(server.stderr, out, echo);
    let serverGone = null;
    void exited(server).then((result) => (serverGone = result));

    const started = Date.now();
    const healthy = async () => {
      const answer = await httpStatus(`${baseURL}/api/health`, 120_000);
      if (answer !== 200) throw new Error(`/api/health answered ${answer}`);
      return true;
    };
    await waitFor("waiting for the dev server (/api/health)", healthy, {
      timeoutMs: 300_000,
      intervalMs: 1_000,
      abort: () =>
        interrupted ? `interrupted (${interrupted})` : serverGone ? `the runner exited (status ${exitStatus(serverGone)})` : null,
    });
    log(`Dev server ready in ${Math.round((Date.now() - started) / 1000)} s. Running the walk (Playwright, e2e-quickstart/) ...`);

    const [command, argv] = nodeBin("@playwright/test", "playwright", [
      "test",
      "--config",
      path.join(ROOT, "e2e-quickstart", "playwright.config.ts"),
      ...process.argv.slice(2),
    ]);
    current = start(command, argv, {
      env: { ...process.env, QUICKSTART_BASE_URL: baseURL, QUICKSTART_JSON_REPORT: JSON_REPORT },
    });
    status = exitStatus(await exited(current));
    current = null;
    if (serverGone) {
      log(`The dev server exited during the walk (status ${exitStatus(serverGone)}).`);
      status ||= 1;
    }
  } catch (error) {
    console.error(`[quickstart] ✖ ${error.message}`);
    status = 1;
  } finally {
    if (server) {
      log("Stopping the dev server ...");
      await stop(server, { group: true, graceMs: 10_000 });
    }
    await new Promise((resolve) => out.end(resolve));
    fs.copyFileSync(LIVE_LOG, SERVER_LOG);
    fs.rmSync(LIVE_LOG, { force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  if (status !== 0) {
    showServerLog();
    log(`Server output: ${path.relative(ROOT, SERVER_LOG)}`);
  }
  return status;
}

main().then(
  (status) => process.exit(interrupted && status === 0 ? 130 : status),
  (error) => {
    console.error(`[quickstart] ✖ ${error?.message ?? error}`);
    process.exit(1);
  },
);
