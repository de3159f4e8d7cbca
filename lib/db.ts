import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { getConfig } from "@/lib/config";

export type Db = PrismaClient;
/** The client handed to callbacks of `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { __portalDb?: PrismaClient };

/** One Prisma client per process (dev hot reload keeps it on globalThis). */
export function getDb(): PrismaClient {
  if (!globalForDb.__portalDb) {
    const config = getConfig();
    // The embedded PGlite server is one Postgres session: scripts/run.mjs sets DATABASE_POOL_MAX=1 for it.
    const adapter = new PrismaPg({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX });
    globalForDb.__portalDb = new PrismaClient({ adapter });
  }
  return globalForDb.__portalDb;
}

/**
 * `db` is usable as a plain import, but the client (and the config it needs)
 * is only created on first use, so importing a module never requires a
 * database URL (builds, the edge import test, `prisma generate`).
 */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = getDb() as unknown as Record<PropertyKey, unknown>;
    const value = client[property];
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
});
