import "server-only";
import { isShuttingDown } from "@/lib/lifecycle";

const globalForLoop = globalThis as unknown as { __portalQueueLoop?: NodeJS.Timeout };

/**
 * The self-hosted server's background sender (S12): runs `drain` every
 * `intervalMs`, never two at once. Unref'd so it never keeps a process alive;
 * one per process (dev hot reload keeps the handle on globalThis).
 */
export function startQueueLoop(drain: () => Promise<unknown>, intervalMs: number): void {
  if (globalForLoop.__portalQueueLoop) return;
  let running = false;
  const timer = setInterval(() => {
    if (running || isShuttingDown()) return;
    running = true;
    drain()
      .catch((error) => console.error("[queue] loop:", error instanceof Error ? error.message : error))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  globalForLoop.__portalQueueLoop = timer;
}
