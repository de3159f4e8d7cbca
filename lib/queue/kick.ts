import "server-only";
import { after } from "next/server";
import { getConfig } from "@/lib/config";
import { outsideTransaction } from "@/lib/db";

type Drain = () => Promise<unknown>;

let running: Promise<void> | null = null;
let again = false;

/**
 * One drain at a time per process: a kick during a drain runs one more drain
 * afterwards (it may carry rows committed after the running one claimed).
 * The promise settles when the drain, including that extra one, is done.
 */
function drainCoalesced(drain: Drain): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await drain();
      } while (again);
    } catch (error) {
      console.error("[queue] drain failed:", error instanceof Error ? error.message : error);
    } finally {
      running = null;
    }
  })();
  return running;
}

/**
 * Starts a drain for messages just committed, so mail, texts and webhooks go
 * out at once instead of at the next loop tick or cron run.
 *
 * Inside a request (route handler, server action) the drain runs through
 * Next's `after()`: once the response is sent, and on serverless platforms
 * the function is kept alive until it is done (`waitUntil`), so a frozen
 * function does not drop it. `after` also runs it after the request's
 * transactions have committed, which is why `emitWebhookEvent` can kick from
 * inside one. Outside a request (`after` throws: scripts, tests) it is a
 * fire-and-forget drain, unless `onlyAfterResponse` (a kick from inside a
 * transaction: a drain now would not see the uncommitted rows; the loop or
 * the next kick sends them). OUTBOX_LOOP=off turns kicks off.
 */
export function kickDrain(drain: Drain, options: { onlyAfterResponse?: boolean } = {}): void {
  if (getConfig().OUTBOX_LOOP === "off") return;
  // The drain uses `db` on its own: it must not inherit the scope of a transaction it was kicked from.
  const run = () => outsideTransaction(() => drainCoalesced(drain));
  try {
    after(run);
  } catch {
    if (!options.onlyAfterResponse) void run();
  }
}
