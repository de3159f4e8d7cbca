// Database helpers: embedded PGlite server, throwaway test databases, URL display.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { waitFor } from "./net.mjs";
import { ROOT } from "./proc.mjs";

/** `postgresql://user@host:port/db` without the password, for banners and logs. */
export function describeDatabaseUrl(value) {
  try {
    const url = new URL(value);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : "";
    const host = url.host || url.searchParams.get("host") || "localhost";
    return `${url.protocol}//${user}${host}${url.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** Resolves once a client can connect and run `select 1`. */
export async function waitForPostgres(connectionString, timeoutMs = 30_000) {
  await waitFor(
    `PostgreSQL at ${describeDatabaseUrl(connectionString)}`,
    async () => {
      const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3_000 });
      try {
        await client.connect();
        await client.query("select 1");
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    },
    { timeoutMs, intervalMs: 300 },
  );
}

/**
 * Starts PGlite on `dataDir` behind the Postgres wire protocol on a free
 * localhost port, in this process. PGlite is ONE Postgres session: the app must
 * use a pool of one connection (DATABASE_POOL_MAX=1). The socket server takes
 * `maxConnections` sockets (2 by default: the app's one connection plus slack
 * for a pool replacing a connection it is still closing); queries from
 * different sockets are serialised by the server's queue.
 */
export async function startPglite(dataDir, { maxConnections = 2 } = {}) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const lock = acquireLock(`${dataDir}.lock`);
  let db;
  let server;
  try {
    db = await PGlite.create(dataDir);
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections });
    await server.start();
  } catch (error) {
    await db?.close().catch(() => {});
    lock.release();
    throw error;
  }
  const [host, port] = server.getServerConn().split(":");
  const url = `postgresql://postgres:postgres@${host}:${port}/postgres?sslmode=disable`;
  await waitForPostgres(url);
  let stopped;
  return {
    url,
    port: Number(port),
    stop() {
      stopped ??= (async () => {
        try {
          await server.stop();
        } finally {
          await db.close().catch((error) => console.error(`PGlite close: ${error.message}`));
          lock.release();
        }
      })();
      return stopped;
    },
  };
}

/** A pid lock so two runners never open the same PGlite directory at once. */
function acquireLock(file) {
  try {
    const pid = Number(fs.readFileSync(file, "utf8"));
    if (pid && pid !== process.pid && isAlive(pid)) {
      throw new Error(
        `The embedded database ${path.relative(process.cwd(), file.replace(/\.lock$/, ""))} is in use by process ${pid}. ` +
          "Stop that server first, or set DATABASE_URL to use a PostgreSQL server.",
      );
    }
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  fs.writeFileSync(file, String(process.pid));
  return {
    release() {
      try {
        if (Number(fs.readFileSync(file, "utf8")) === process.pid) fs.unlinkSync(file);
      } catch {
        /* already gone */
      }
    },
  };
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/**
 * Creates a fresh database named `<prefix>_<random>` on the server of
 * `serverUrl`; returns its URL and a `drop()` that removes it (WITH FORCE).
 */
export async function createScratchDatabase(serverUrl, prefix) {
  const name = `${prefix}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `Cannot connect to PostgreSQL at ${describeDatabaseUrl(serverUrl)} (${error.message}). ` +
        "Start it, or point TEST_DATABASE_URL at a server where the user may CREATE DATABASE.",
    );
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end().catch(() => {});
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}

/** Migration folders not yet applied to the database (all of them on a new database). */
export async function pendingMigrations(databaseUrl) {
  const folders = fs
    .readdirSync(path.join(ROOT, "prisma", "migrations"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const applied = new Set(rows.map((row) => row.migration_name));
    return folders.filter((name) => !applied.has(name));
  } catch {
    return folders; // no migrations table yet (a new database): everything is pending
  } finally {
    await client.end().catch(() => {});
  }
}

/** Emails of the admins the database knows (for the banner), or null when it cannot tell. */
export async function currentAdmins(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const { rows } = await client.query(
      `SELECT e.email FROM "User" u JOIN "EmailAddress" e ON e.id = u."primaryEmailAddressId"
       WHERE u.role = 'admin' ORDER BY u."createdAt" LIMIT 6`,
    );
    return rows.map((row) => row.email);
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The banner line: the admins the database knows, and ADMIN_EMAILS when set. */
export function describeAdmins(admins, adminEmails) {
  const configured = adminEmails ? ` (ADMIN_EMAILS: ${adminEmails})` : "";
  if (admins === null) return `${adminEmails || "unknown"}`;
  if (admins.length === 0) return `none yet${configured || ": set ADMIN_EMAILS=you@example.com or run npm run admin -- promote <email>"}`;
  const shown = admins.slice(0, 5).join(", ") + (admins.length > 5 ? ", ..." : "");
  return `${shown}${configured}`;
}
