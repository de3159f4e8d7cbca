import "server-only";
import { getConfig } from "@/lib/config";
import { drainOutbox } from "./outbox";

/** How often the in-process loop looks for due messages (retries included). */
export const OUTBOX_LOOP_INTERVAL_MS = 5_000;

const globalForLoop = globalThis as unknown as { __portalOutboxLoop?: NodeJS.Timeout };

/**
 * The self-hosted server's background sender (S12), started from
 * instrumentation.ts. Unref'd so it never keeps a process alive; one per
 * process (dev hot reload keeps the handle on globalThis).
 */
export function startOutboxLoop(): void {
  if (getConfig().OUTBOX_LOOP === "off" || globalForLoop.__portalOutboxLoop) return;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    drainOutbox()
      .catch((error) => console.error("[mail] outbox loop:", error instanceof Error ? error.message : error))
      .finally(() => (running = false));
  }, OUTBOX_LOOP_INTERVAL_MS);
  timer.unref();
  globalForLoop.__portalOutboxLoop = timer;
}
