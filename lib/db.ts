import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { getConfig } from "@/lib/config";

export type Db = PrismaClient;
/** The client handed to callbacks of `db.$transaction(async (tx) => ...)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { __portalDb?: PrismaClient; __portalPgPool?: pg.Pool };

/** One Prisma client per process (dev hot reload keeps it on globalThis). */
export function getDb(): PrismaClient {
  if (!globalForDb.__portalDb) {
    const config = getConfig();
    // The embedded PGlite server is one Postgres session: scripts/run.mjs sets DATABASE_POOL_MAX=1 for it.
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX });
    // $disconnect ends the pool, as when the adapter made it.
    const adapter = new PrismaPg(pool, { disposeExternalPool: true });
    globalForDb.__portalPgPool = pool;
    globalForDb.__portalDb = new PrismaClient({ adapter });
  }
  return globalForDb.__portalDb;
}

/**
 * The node-postgres pool under `db`: the same connections (one on the
 * embedded database), for the few hot statements where Prisma's own cost per
 * statement shows (the queue's claims and marks: each raw query's parameters
 * go through Prisma's query compiler, a large share of a webhook fan-out's
 * CPU). Not for transactions: those go through `db.$transaction`.
 */
export function getPgPool(): pg.Pool {
  refuseInsideTransaction("getPgPool()");
  getDb();
  return globalForDb.__portalPgPool!;
}

/**
 * Marks code running inside a `db.$transaction` callback. Using `db` there
 * (instead of the callback's `tx`) needs a second connection: on the embedded
 * database's pool of one it waits until Prisma's transaction timeout, and on
 * any pool it reads or writes outside the transaction. So it is refused at
 * once, outside production, with the stack that did it; production logs it.
 */
const insideTransaction = new AsyncLocalStorage<true>();
let reportedInProduction = false;

export class DbInsideTransactionError extends Error {
  constructor(member: string, advice = "use the transaction's client (tx) instead") {
    super(`${member} used inside db.$transaction: ${advice}`);
    this.name = "DbInsideTransactionError";
  }
}

/**
 * Runs `fn` outside the scope of any enclosing `db.$transaction` callback:
 * for work that is merely started from inside one and runs on its own later
 * with `db` (the queue drain kicked by an event written in a transaction).
 */
export function outsideTransaction<T>(fn: () => T): T {
  return insideTransaction.exit(fn);
}

/**
 * For reads that are usually served from a cache (settings, branding): refuses
 * them inside a transaction every time, not only when the cache happens to be
 * cold, so a test catches the read that would wait on one connection.
 */
export function assertOutsideTransaction(what: string): void {
  refuseInsideTransaction(what, "read it before opening the transaction and pass it in");
}

function refuseInsideTransaction(member: string, advice?: string): void {
  if (!insideTransaction.getStore()) return;
  const error = new DbInsideTransactionError(member, advice);
  if (process.env.NODE_ENV !== "production") throw error;
  if (!reportedInProduction) {
    reportedInProduction = true;
    console.error("[db]", error);
  }
}

/**
 * `db` is usable as a plain import, but the client (and the config it needs)
 * is only created on first use, so importing a module never requires a
 * database URL (builds, the edge import test, `prisma generate`).
 */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    refuseInsideTransaction(`db.${String(property)}`);
    const client = getDb() as unknown as Record<PropertyKey, unknown>;
    if (property === "$transaction") {
      return (arg: unknown, options?: unknown) =>
        typeof arg === "function"
          ? getDb().$transaction((tx) => insideTransaction.run(true, () => (arg as (tx: Tx) => Promise<unknown>)(tx)), options as never)
          : getDb().$transaction(arg as never, options as never);
    }
    const value = client[property];
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
});
