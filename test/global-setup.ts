import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Server URL (any database) for per-file database creation. */
    serverUrl: string;
    /** The migrated template every test file's own database is copied from. */
    templateDatabase: string;
  }
}

/**
 * Creates a migrated template database on the real PostgreSQL server for this
 * run (TEST_DATABASE_URL points at the server; default local postgres/postgres).
 * Each test FILE then gets its own copy (test/setup-env.ts), so files running
 * in parallel never see each other's rows or instance settings. Everything is
 * dropped afterwards.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres:postgres@localhost:5432/postgres";
  const name = `portal_test_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: "pipe",
  });
  project.provide("serverUrl", serverUrl);
  project.provide("templateDatabase", name);

  return async () => {
    const cleanup = new pg.Client({ connectionString: serverUrl });
    await cleanup.connect();
    const { rows } = await cleanup.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2",
      [name, `${name}\\_f\\_%`],
    );
    for (const row of rows) await cleanup.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await cleanup.end();
  };
}
