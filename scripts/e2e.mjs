#!/usr/bin/env node
// End-to-end run behind `npm run test:e2e`:
//   1. builds the app (`prisma generate && next build`) unless .next/BUILD_ID is
//      newer than every source file (E2E_BUILD=always|never|auto, or --build / --no-build);
//   2. creates a fresh database on TEST_DATABASE_URL's server and migrates it;
//   3. starts a real OpenID provider (oidc-provider, test/oidc-provider.ts) on a
//      loopback port and the production server as `npm start` does
//      (scripts/server.mjs) on a free port with short token lifetimes, the
//      provider configured as the generic OIDC provider "test-oidc";
//   4. waits for /api/health (falls back to /sign-in) and runs Playwright;
//   5. stops the server and drops the database, whatever happened.
// Extra arguments go to `playwright test` (e.g. `npm run test:e2e -- --grep "sign up"`).
// The JSON report goes to E2E_JSON_REPORT (default playwright-report/results.json);
// the server's output to playwright-report/e2e-server.log (E2E_SERVER_LOG=inherit to stream it).
import fs from "node:fs";
import path from "node:path";
import { buildIsFresh } from "./lib/build.mjs";
import { createScratchDatabase, describeDatabaseUrl } from "./lib/db.mjs";
import { freePort, httpStatus, waitFor } from "./lib/net.mjs";
import { exitStatus, exited, nodeBin, ROOT, start, stop } from "./lib/proc.mjs";
import { randomSecret } from "./lib/secret.mjs";
import { serverNodeFlags } from "./lib/server-flags.mjs";
import { createJiti } from "jiti";

const DEFAULT_SERVER_URL = "postgresql://postgres:postgres@localhost:5432/postgres";
const TOKEN_TTL_SECONDS = "4";
const REPORT_DIR = path.join(ROOT, "playwright-report");
const SERVER_LOG = path.join(REPORT_DIR, "e2e-server.log");
const JSON_REPORT = path.resolve(ROOT, process.env.E2E_JSON_REPORT ?? path.join(REPORT_DIR, "results.json"));

let buildMode = (process.env.E2E_BUILD ?? "auto").toLowerCase();
const playwrightArgs = [];
for (const arg of process.argv.slice(2)) {
  if (arg === "--build") buildMode = "always";
  else if (arg === "--no-build") buildMode = "never";
  else playwrightArgs.push(arg);
}

const log = (message) => console.log(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);

let current = null; // foreground child (build, migrate, playwright)
let interrupted = null;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    log(`${signal}: stopping and cleaning up ...`);
    current?.kill(signal);
  });
}

async function foreground(pkg, bin, args, env) {
  const [command, argv] = nodeBin(pkg, bin, args);
  current = start(command, argv, { env });
  const status = exitStatus(await exited(current));
  current = null;
  if (interrupted) throw new Error(`interrupted (${interrupted})`);
  return status;
}

// ---------------------------------------------------------------------------
async function main() {
  const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_SERVER_URL;
  let database = null;
  let server = null;
  let oidc = null;
  let status = 1;
  fs.rmSync(JSON_REPORT, { force: true }); // never let a stale report be read as this run's
  try {
    log(`Creating a scratch database on ${describeDatabaseUrl(serverUrl)} ...`);
    database = await createScratchDatabase(serverUrl, "portal_e2e");
    const port = await freePort();
    const baseURL = `http://localhost:${port}`;
    // The OAuth specs' identity provider (S5): a certified one, in this process.
    const { startOidcProvider } = await createJiti(import.meta.url).import(path.join(ROOT, "test", "oidc-provider.ts"));
    oidc = await startOidcProvider({ redirectUris: [`${baseURL}/api/auth/oauth/test-oidc/callback`] });
    log(`OpenID provider for the OAuth specs on ${oidc.issuer}`);
    const env = {
      ...process.env,
      DATABASE_URL: database.url,
      AUTH_SECRET: randomSecret(),
      AUTH_URL: baseURL,
      AUTH_SESSION_TOKEN_TTL_SECONDS: TOKEN_TTL_SECONDS,
      AUTH_BCRYPT_COST: "4",
      ADMIN_EMAILS: "admin@example.com",
      NODE_ENV: "production",
      PORT: String(port),
      NEXT_TELEMETRY_DISABLED: "1",
      // No SMTP_URL: mail goes to the dev inbox, which e2e reads (on in this production build only for tests).
      DEV_INBOX: "on",
      // The webhook spec's receiver listens on 127.0.0.1, which production refuses by default (SSRF).
      WEBHOOK_ALLOW_PRIVATE_URLS: "on",
      // Every e2e request comes from this machine's one IP: scale the S10 limits (still on) so
      // a growing suite never trips the 10-sign-ups-per-hour-per-IP rule (docs/security.md).
      RATE_LIMIT_SCALE: "20",
      OAUTH_OIDC_TEST_OIDC_ISSUER: oidc.issuer,
      OAUTH_OIDC_TEST_OIDC_CLIENT_ID: oidc.clientId,
      OAUTH_OIDC_TEST_OIDC_CLIENT_SECRET: oidc.clientSecret,
      OAUTH_OIDC_TEST_OIDC_NAME: "Test ID",
    };
    delete env.SMTP_URL;
    delete env.DATABASE_POOL_MAX;

    log(`Applying migrations to ${database.name} ...`);
    if ((await foreground("prisma", "prisma", ["migrate", "deploy"], env)) !== 0) {
      throw new Error("prisma migrate deploy failed");
    }

    const freshness = buildIsFresh(ROOT);
    if (buildMode === "never" || (buildMode === "auto" && freshness.fresh)) {
      if (!fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("E2E_BUILD=never but there is no build");
      log("Reusing the existing production build (.next/BUILD_ID is newer than every source file).");
    } else {
      log(`Building the app (${buildMode === "always" ? "forced" : freshness.reason}): prisma generate && next build ...`);
      if ((await foreground("prisma", "prisma", ["generate"], env)) !== 0) throw new Error("prisma generate failed");
      if ((await foreground("next", "next", ["build"], env)) !== 0) throw new Error("next build failed");
    }

    log(`Starting scripts/server.mjs on ${baseURL} (session token lifetime ${TOKEN_TTL_SECONDS} s) ...`);
    fs.mkdirSync(REPORT_DIR, { recursive: true });
    const inherit = process.env.E2E_SERVER_LOG === "inherit";
    const logFd = inherit ? null : fs.openSync(SERVER_LOG, "w");
    // The server `npm start` runs (what ships is what is tested). Own process group, so
    // teardown can stop it and any workers it forked.
    server = start(process.execPath, [...serverNodeFlags(env), path.join(ROOT, "scripts", "server.mjs"), "--port", String(port)], {
      env,
      detached: true,
      stdio: inherit ? "inherit" : ["ignore", logFd, logFd],
    });
    if (logFd !== null) fs.closeSync(logFd);
    const serverExit = exited(server);
    let serverGone = null;
    void serverExit.then((result) => (serverGone = result));

    const readyPath = await waitFor(
      "waiting for the server",
      async () => {
        const health = await httpStatus(`${baseURL}/api/health`);
        if (health === 200) return "/api/health";
        if (health === 404 && (await httpStatus(`${baseURL}/sign-in`)) === 200) return "/sign-in";
        return null;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        abort: () =>
          interrupted ? `interrupted (${interrupted})` : serverGone ? `the server exited (status ${exitStatus(serverGone)})` : null,
      },
    );
    log(`Server ready (${readyPath} answered 200). Running Playwright ...`);

    status = await foreground("@playwright/test", "playwright", ["test", ...playwrightArgs], {
      ...process.env,
      E2E_BASE_URL: baseURL,
      // Specs that check what the server stored (e2e/helpers/db.ts) read this scratch database.
      E2E_DATABASE_URL: database.url,
      E2E_JSON_REPORT: JSON_REPORT,
      E2E_SESSION_TTL_SECONDS: TOKEN_TTL_SECONDS,
      E2E_OIDC_ISSUER: oidc.issuer,
    });
    if (serverGone) {
      log(`The server exited during the run (status ${exitStatus(serverGone)}).`);
      status ||= 1;
    }
  } catch (error) {
    console.error(`[e2e] ✖ ${error.message}`);
    status = 1;
    if (server) showServerLog();
  } finally {
    if (server) {
      log("Stopping the server ...");
      await stop(server, { group: true, graceMs: 5_000 });
      // SIGTERM must take the graceful path (scripts/server.mjs + lib/lifecycle), not the SIGKILL after the grace.
      const graceful = exitStatus({ code: server.exitCode, signal: server.signalCode }) === 143 && (!fs.existsSync(SERVER_LOG) || fs.readFileSync(SERVER_LOG, "utf8").includes("Background work settled"));
      if (status === 0 && !interrupted && process.env.E2E_SERVER_LOG !== "inherit" && !graceful) {
        log(`✖ The server did not shut down gracefully on SIGTERM (status ${exitStatus({ code: server.exitCode, signal: server.signalCode })}; see ${path.relative(ROOT, SERVER_LOG)}).`);
        status = 1;
      }
    }
    await oidc?.close();
    if (database) {
      try {
        await database.drop();
        log(`Dropped ${database.name}.`);
      } catch (error) {
        console.error(`[e2e] Could not drop ${database.name}: ${error.message}`);
      }
    }
  }
  if (status !== 0 && server && fs.existsSync(SERVER_LOG)) log(`Server output: ${path.relative(ROOT, SERVER_LOG)}`);
  return status;
}

function showServerLog() {
  try {
    const lines = fs.readFileSync(SERVER_LOG, "utf8").trimEnd().split("\n").slice(-40);
    if (lines.length && lines[0]) console.error(`[e2e] Last server output:\n${lines.join("\n")}`);
  } catch {
    /* no log yet */
  }
}

main().then(
  (status) => process.exit(interrupted && status === 0 ? 130 : status),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
