import "server-only";
import { onShutdown, shutDown } from "@/lib/lifecycle";
import { waitForIdleQueue } from "@/lib/queue";

/** Where scripts/server.mjs finds the shutdown: it runs in the same process as Next, outside its bundles. */
export const SHUTDOWN_HOOK = Symbol.for("portal.shutdown");

/**
 * On SIGTERM (scripts/server.mjs): readiness turns 503, the queue stops
 * claiming and hands back what it claimed but had not started, and the sends
 * in flight finish and are marked before the process exits (issue 17).
 */
export function prepareForShutdown(): void {
  onShutdown(waitForIdleQueue);
  (globalThis as Record<symbol, unknown>)[SHUTDOWN_HOOK] = shutDown;
}
