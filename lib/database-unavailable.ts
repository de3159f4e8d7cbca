/**
 * Whether an error means "the database cannot be reached right now" (it is
 * restarting, the pool cannot get a connection, a connection was cut) rather
 * than a bug. Such a request is answered 503 with Retry-After, not an
 * "unexpected error" 500 (issue 17: the soak's PostgreSQL restart found them
 * logged with stacks and answered 500). Prisma wraps the driver's error, so
 * the check walks `cause` and `meta.driverAdapterError`.
 */
const UNAVAILABLE_PRISMA_CODES = new Set([
  "P1001", // can't reach database server
  "P1002", // reached but timed out
  "P1008", // operations timed out
  "P1017", // server closed the connection
  "P2024", // timed out fetching a connection from the pool
]);

const UNAVAILABLE_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

const UNAVAILABLE_MESSAGE =
  /can't reach database server|connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|ECONNREFUSED|ECONNRESET|timed out fetching a new connection|unable to start a transaction in the given time|has encountered a connection error and is not queryable/i;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== "object" || error === null) return false;
  const candidate = error as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
  if (typeof candidate.code === "string" && UNAVAILABLE_PRISMA_CODES.has(candidate.code)) return true;
  if (typeof candidate.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(candidate.kind)) return true;
  if (typeof candidate.message === "string" && UNAVAILABLE_MESSAGE.test(candidate.message)) return true;
  return isDatabaseUnavailable(candidate.cause, depth + 1) || isDatabaseUnavailable(candidate.meta?.driverAdapterError, depth + 1);
}

/** Seconds a client should wait before trying again while the database is away (a restart takes a few). */
export const DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
