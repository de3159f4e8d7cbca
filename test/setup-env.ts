import crypto from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

// Per-file environment for unit/integration tests.
process.env.AUTH_SECRET ??= "test-secret-test-secret-test-secret-0123456789";
process.env.AUTH_BCRYPT_COST ??= "4";
process.env.AUTH_URL ??= "http://localhost:3000";
// Most suites post sign-up forms without a browser; the bot-protection tests turn it on per database (S10).
process.env.BOT_PROTECTION ??= "off";
process.env.ADMIN_EMAILS ??= "signup-admin@example.com,middleware-admin@example.com";
(process.env as Record<string, string>).NODE_ENV = "test";

/**
 * This test file's own database, copied from the run's migrated template
 * (cheap: a file copy inside PostgreSQL). Files run in parallel; with their
 * own databases a test that changes instance settings or counts rows cannot
 * be disturbed by, or disturb, another file.
 */
async function ownDatabase(): Promise<string> {
  const serverUrl = inject("serverUrl");
  const template = inject("templateDatabase");
  const name = `${template}_f_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

process.env.DATABASE_URL = await ownDatabase();
