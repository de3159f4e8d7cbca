#!/usr/bin/env node
// Zero-config runner behind `npm run dev` and `npm start`.
//
//   node scripts/run.mjs dev   [extra next dev args]
//   node scripts/run.mjs start [extra next start args]
//
// - Loads .env files the way Next does, so DATABASE_URL in .env is honoured.
// - Local state lives in PORTAL_DATA_DIR (default .data).
// - No DATABASE_URL: starts the embedded PGlite server (data in <data dir>/pglite)
//   on a free localhost port, in this process, and gives the app a pool of
//   one connection (PGlite is a single Postgres session).
// - `dev` without AUTH_SECRET: uses/creates <data dir>/auth-secret and exports
//   it so every child process sees the same value. `start` refuses to run
//   without AUTH_SECRET and AUTH_URL: a secret made up on one machine cannot
//   decrypt the signing keys on the next one.
// - Applies migrations (`prisma migrate deploy`), builds first when `start`
//   finds no build, then runs `next dev` / scripts/server.mjs (the production
//   server) on PORT (default 3000), forwarding signals and exiting with its
//   exit status.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { currentAdmins, describeAdmins, describeDatabaseUrl, pendingMigrations, startPglite } from "./lib/db.mjs";
import { exitStatus, exited, nodeBin, ROOT, start } from "./lib/proc.mjs";
import { parseTrustedProxies } from "../lib/http/trusted-proxies.mjs";
import { serverNodeFlags } from "./lib/server-flags.mjs";
import { dataDir, devAuthSecret, devSecretFile } from "./lib/secret.mjs";
import { dropDevCacheIfEnvironmentChanged } from "./lib/dev-cache.mjs";

const MODES = new Set(["dev", "start"]);
const mode = process.argv[2];
const nextArgs = process.argv.slice(3);
if (!MODES.has(mode)) {
  console.error("Usage: node scripts/run.mjs dev|start [next args]");
  process.exit(2);
}

// Paths in messages: relative inside the project, absolute outside it (PORTAL_DATA_DIR=/tmp/...).
const rel = (file) => (path.relative(ROOT, file).startsWith("..") ? file : path.relative(ROOT, file) || ".");

let pglite = null; // { url, stop } while the embedded server runs
let child = null; // the foreground child (prisma or next)
let signalled = null;

function fail(message) {
  console.error(`\n✖ ${message}\n`);
  return 1;
}

async function shutdown(status) {
  if (pglite) {
    try {
      await pglite.stop();
    } catch (error) {
      console.error(`Could not stop the embedded database cleanly: ${error.message}`);
    }
  }
  process.exit(status);
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (signalled) {
      // Second signal: stop waiting politely.
      child?.kill("SIGKILL");
      return;
    }
    signalled = signal;
    if (child) child.kill(signal);
    else void shutdown(130);
  });
}

/** Runs a package bin in the foreground with `env`; resolves with its exit status. */
async function foreground(pkg, bin, args, env) {
  const [command, argv] = nodeBin(pkg, bin, args);
  child = start(command, argv, { env });
  const status = exitStatus(await exited(child));
  child = null;
  return status;
}

/** Like foreground(), but keeps the output: shown only when the command fails. */
async function quietly(pkg, bin, args, env) {
  const [command, argv] = nodeBin(pkg, bin, args);
  child = start(command, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const status = exitStatus(await exited(child));
  child = null;
  return { status, output };
}

/**
 * Next 16 prints a deprecation notice for middleware.ts. The portal keeps
 * middleware.ts on purpose (the Edge runtime, see TOOLCHAIN.md), so the notice
 * is a warning nobody starting the portal can act on: drop those lines, pass
 * everything else through unchanged.
 */
const NEXT_NOISE = [/"middleware" file convention is deprecated/, /To migrate automatically, run:/, /middleware-to-proxy/];

function withoutNextNoise(stream, sink) {
  let pending = "";
  let dropBlank = false;
  stream.on("data", (chunk) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) {
      if (NEXT_NOISE.some((pattern) => pattern.test(line))) {
        dropBlank = true;
        continue;
      }
      if (dropBlank && !line.trim()) continue;
      dropBlank = false;
      sink.write(`${line}\n`);
    }
  });
  stream.on("end", () => pending && sink.write(pending));
}

/** Runs `next dev` with its output filtered (colours kept when this is a terminal). */
async function nextDev(args, env) {
  const [command, argv] = nodeBin("next", "next", ["dev", ...args]);
  const color = process.stdout.isTTY ? { FORCE_COLOR: "1" } : {};
  if (dropDevCacheIfEnvironmentChanged(ROOT, { ...env, ...color })) {
    console.log("Environment changed since the last `npm run dev`: compiling afresh (Turbopack's cache from another environment makes pages reload in a loop).");
  }
  child = start(command, argv, { env: { ...env, ...color }, stdio: ["inherit", "pipe", "pipe"] });
  withoutNextNoise(child.stdout, process.stdout);
  withoutNextNoise(child.stderr, process.stderr);
  const status = exitStatus(await exited(child));
  child = null;
  return status;
}


function loadDotEnv() {
  // Same files and precedence as Next (process env wins), so the runner sees
  // what the app will see. @next/env ships with next.
  const requireFromNext = createRequire(createRequire(path.join(ROOT, "package.json")).resolve("next/package.json"));
  const { loadEnvConfig } = requireFromNext("@next/env");
  loadEnvConfig(ROOT, mode === "dev", { info() {}, error: console.error });
}

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

async function main() {
  loadDotEnv();
  // A self-hosted auth portal phones home to nobody: Next's anonymous telemetry is off unless asked for.
  const env = { NEXT_TELEMETRY_DISABLED: "1", ...process.env };
  const production = mode === "start" || env.NODE_ENV === "production";
  const port = env.PORT || "3000";
  env.PORT = port;
  const DATA_DIR = dataDir(env);
  const PGLITE_DIR = path.join(DATA_DIR, "pglite");

  // --- Production requirements --------------------------------------------
  const missing = [];
  if (production && !env.AUTH_SECRET) {
    missing.push(
      "AUTH_SECRET is required by `npm start` (and whenever NODE_ENV=production).\n" +
        "  Generate one with `openssl rand -base64 32` and set it in the environment\n" +
        "  (every encrypted signing key and hashed token depends on it: keep it stable and secret).",
    );
  }
  if (mode === "start" && !env.AUTH_URL) {
    missing.push(
      "AUTH_URL is required by `npm start`: the public origin, e.g. AUTH_URL=https://auth.example.com\n" +
        "  (the token issuer, the origin every Origin check and emailed link uses).",
    );
  }
  if (missing.length) return fail(missing.join("\n\n✖ "));
  try {
    parseTrustedProxies(env.AUTH_TRUSTED_PROXIES);
  } catch (error) {
    return fail(error.message);
  }

  // --- AUTH_SECRET -------------------------------------------------------
  let secretNote;
  if (env.AUTH_SECRET) {
    if (env.AUTH_SECRET.length < 32) {
      return fail("AUTH_SECRET must be at least 32 characters. Generate one with: openssl rand -base64 32");
    }
    secretNote = "AUTH_SECRET from the environment";
  } else {
    const { secret, created } = devAuthSecret(DATA_DIR);
    env.AUTH_SECRET = secret;
    secretNote = `AUTH_SECRET from ${rel(devSecretFile(DATA_DIR))}${created ? " (created now)" : ""}`;
  }

  // --- Database ----------------------------------------------------------
  let databaseNote;
  if (env.DATABASE_URL) {
    databaseNote = `PostgreSQL at ${describeDatabaseUrl(env.DATABASE_URL)}`;
  } else {
    console.log(`Starting the embedded database (PGlite, ${rel(PGLITE_DIR)}) ...`);
    pglite = await startPglite(PGLITE_DIR);
    if (signalled) return 130;
    env.DATABASE_URL = pglite.url;
    if (env.DATABASE_POOL_MAX && env.DATABASE_POOL_MAX !== "1") {
      console.warn(`DATABASE_POOL_MAX=${env.DATABASE_POOL_MAX} ignored: the embedded database takes one connection.`);
    }
    env.DATABASE_POOL_MAX = "1";
    databaseNote = `embedded PGlite at ${rel(PGLITE_DIR)} (set DATABASE_URL to use PostgreSQL)`;
  }

  // --- Prisma client, migrations, build ---------------------------------
  if (!fs.existsSync(path.join(ROOT, "lib", "generated", "prisma"))) {
    const status = await foreground("prisma", "prisma", ["generate"], env);
    if (status !== 0 || signalled) return status || 130;
  }

  // `prisma migrate deploy` always runs for `npm start` (it also checks the applied
  // migrations' checksums). In development it runs only when a migration is pending:
  // the CLI's schema engine keeps a 10 s timer alive after its work is done, which
  // would be a silent pause at every start. Its output (config notes, a datasource
  // warning that does not apply with the driver adapter) is shown only on failure.
  let status = 0;
  const pending = mode === "dev" ? await pendingMigrations(env.DATABASE_URL) : null;
  if (pending?.length === 0) {
    console.log("Database schema up to date.");
  } else {
    console.log(
      pending
        ? `Applying ${pending.length} database migration${pending.length === 1 ? "" : "s"} (prisma migrate deploy, about 10 s) ...`
        : "Applying database migrations (prisma migrate deploy, about 10 s) ...",
    );
    const migrated = await quietly("prisma", "prisma", ["migrate", "deploy"], env);
    status = migrated.status;
    if (signalled) return status || 130;
    if (status !== 0) {
      process.stderr.write(migrated.output);
      return fail(`Migrations failed (exit status ${status}) against ${databaseNote}.`);
    }
    console.log("Database schema up to date.");
  }

  if (mode === "start") {
    const buildId = path.join(ROOT, ".next", "BUILD_ID");
    if (!fs.existsSync(buildId)) {
      console.log("No production build found (.next/BUILD_ID): running prisma generate && next build ...");
      status = await foreground("prisma", "prisma", ["generate"], env);
      if (status === 0 && !signalled) status = await foreground("next", "next", ["build"], env);
      if (signalled) return status || 130;
      if (status !== 0) return fail(`Build failed (exit status ${status}).`);
    } else if (newestMtime(path.join(ROOT, "app")) > fs.statSync(buildId).mtimeMs) {
      console.warn("Note: app/ changed since the last build; run `npm run build` to include the changes.");
    }
  }

  // --- Next --------------------------------------------------------------
  const url = `http://localhost:${port}`;
  const title = mode === "dev" ? "development server (next dev)" : "production server (scripts/server.mjs)";
  console.log(
    [
      "",
      `  Auth portal: ${title}`,
      `  ➜ URL:       ${url}`,
      `  ➜ Database:  ${databaseNote}`,
      `  ➜ Secret:    ${secretNote}`,
      ...(production ? [] : [`  ➜ Admins:    ${describeAdmins(await currentAdmins(env.DATABASE_URL), env.ADMIN_EMAILS)}`]),
      "  Press Ctrl+C to stop.",
      "",
    ].join("\n"),
  );

  if (mode === "dev") return nextDev(["--port", port, ...nextArgs], env);
  // The production server appends the socket address to X-Forwarded-For (client IP, S10).
  // Its heap limit (1 GB unless NODE_OPTIONS sets one) is in scripts/lib/server-flags.mjs.
  child = start(process.execPath, [...serverNodeFlags(env), path.join(ROOT, "scripts", "server.mjs"), "--port", port, ...nextArgs], { env });
  status = exitStatus(await exited(child));
  child = null;
  return status;
}

main()
  .then((status) => shutdown(status ?? 0))
  .catch((error) => {
    console.error(`\n✖ ${error?.message ?? error}\n`);
    void shutdown(1);
  });
