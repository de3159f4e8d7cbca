import "server-only";
import { kickDrain } from "@/lib/queue";

/** How long a kicked drain keeps claiming batches (the rest waits for the loop or the cron route). */
const KICK_DRAIN_MAX_MS = 10_000;

/**
 * Drains every channel (mail, SMS, webhooks) right after a commit: after the
 * response inside a request, else fire-and-forget (lib/queue/kick.ts).
 * `onlyAfterResponse` for a kick from inside a transaction.
 *
 * The drain is imported lazily: it composes lib/email, lib/sms and
 * lib/webhooks, which call this kick themselves.
 */
export function kickBackgroundWork(options: { onlyAfterResponse?: boolean } = {}): void {
  kickDrain(async () => (await import("./drain")).drainAll({ maxDurationMs: KICK_DRAIN_MAX_MS }), options);
}
