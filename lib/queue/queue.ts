import "server-only";
import { getPgPool } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { isShuttingDown } from "@/lib/lifecycle";

/**
 * The one durable queue (S12) behind mail, SMS and webhooks: rows of
 * OutboxMessage, each with a `channel` that says how it is sent. A message is
 * written in the same transaction as the change that causes it and sent later
 * by `drainQueue` (in-process loop, cron route, or a kick after the response).
 *
 * Claiming takes rows with FOR UPDATE SKIP LOCKED and leases them (status
 * "sending", nextAttemptAt = lease end), so concurrent workers, in one process
 * or many, never hold the same row, and a worker that dies mid-send leaves a
 * row that is claimed again once the lease has run out. Delivery is
 * therefore at-least-once: a crash between the receiver's "OK" and our "sent"
 * write sends again, with the same id (Message-ID, svix-id) so receivers can
 * recognise it. Only the worker holding the current lease (same attempt
 * number, still "sending") may mark a row.
 *
 * This module knows nothing of mail or webhooks: channels (lib/email,
 * lib/sms, lib/webhooks) say how their rows are sent and retried, and
 * lib/background composes them into the drain everything calls.
 */

/**
 * A claimed row not marked within this time is considered abandoned and
 * claimed again. A live worker renews the leases of the rows it holds every
 * third of it, however long their sends take, so the lease only decides how
 * soon the rows of a worker that died (SIGKILL, a claim whose answer a
 * database restart cut off) come back: it was 2 minutes, which made the
 * soak's sign-up codes two minutes late after an instance was killed (issue 17).
 */
export const QUEUE_LEASE_MS = 30_000;
/** Rows claimed per batch by default. */
export const DEFAULT_BATCH_SIZE = 50;
/**
 * How long a batch's marks are retried while the database is out of reach (a
 * restart takes seconds). Without it, rows sent just before a restart stayed
 * leased for the full lease and were sent again (issue 17's soak: a duplicate,
 * or a code two minutes late when the send itself had failed).
 */
export const MARK_RETRY_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000, 8_000, 15_000];

/** A claimed row, as a channel sees it. `attempts` counts this attempt. */
export type QueueRow = {
  id: string;
  channel: string;
  to: string;
  template: string;
  payload: unknown;
  attempts: number;
  createdAt: Date;
};

/** One claimed batch of a channel's rows: what is loaded once for all of them, and written once after. */
export type ChannelBatch = {
  /** Sends one row. Throwing is a failed attempt (retried per the schedule); a `GiveUpError` fails the row at once. */
  send(row: QueueRow): Promise<void>;
  /** The payload a sent row keeps (e.g. without its live code); undefined keeps it as it is. */
  keptAfterSend?(row: QueueRow): object | undefined;
  /** After every row was tried and BEFORE they are marked (a crash in between re-sends, never loses): e.g. the delivery log. */
  close?(): Promise<void>;
};

export type QueueChannel = {
  /** The OutboxMessage.channel value this channel sends. */
  name: string;
  /** Delay before retry n (after failed attempt n); after the last one the row is failed. */
  retryDelaysMs: readonly number[];
  /** Rows of this channel sent at once within a batch (default 1). */
  concurrency?: number;
  /** Rows claimed per batch when the drain does not say (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /** Batches of this channel in progress at once per drain (default 1); up to lanes x concurrency sends in flight. */
  lanes?: number;
  openBatch(rows: QueueRow[], now: Date): Promise<ChannelBatch> | ChannelBatch;
  /** Called once when a row is given up on (its last retry failed, or a GiveUpError), e.g. to log it. */
  onGiveUp?(row: QueueRow, reason: string): void;
};

/** Thrown by a channel's `send` when retrying cannot help (e.g. the webhook endpoint was deleted): the row fails now. */
export class GiveUpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GiveUpError";
  }
}

/** A channel with no per-batch state: send one row at a time through `send`. */
export function simpleChannel(channel: {
  name: string;
  retryDelaysMs: readonly number[];
  concurrency?: number;
  send(row: QueueRow): Promise<void>;
  keptAfterSend?(row: QueueRow): object | undefined;
  onGiveUp?(row: QueueRow, reason: string): void;
}): QueueChannel {
  const { send, keptAfterSend, ...rest } = channel;
  return { ...rest, openBatch: () => ({ send, keptAfterSend }) };
}

/** Attempts a row of this channel gets in all: the first plus one per retry delay. */
export function maxAttempts(channel: Pick<QueueChannel, "retryDelaysMs">): number {
  return channel.retryDelaysMs.length + 1;
}

export type DrainResult = { claimed: number; sent: number; retried: number; failed: number };

export type DrainOptions = {
  /** The time the run acts at (tests drive time with it); default: the clock. */
  now?: Date;
  /** Rows claimed per batch (default: each channel's batchSize). */
  limit?: number;
  /** Restricts the run to these rows (an admin's "send now", tests). */
  ids?: string[];
  /**
   * Keep claiming batches while the last one was full, for up to this long
   * (the loop, the cron route, a kick). Default: one batch.
   */
  maxDurationMs?: number;
  /** Lease of claimed rows (default QUEUE_LEASE_MS; tests shorten it). */
  leaseMs?: number;
};

type Outcome =
  | { row: QueueRow; status: "sent"; at: Date; kept: object | undefined }
  | { row: QueueRow; status: "pending"; at: Date; error: string; nextAttemptAt: Date }
  | { row: QueueRow; status: "failed"; at: Date; error: string };

/**
 * Sends due rows of `channels`, each through its channel, and marks them.
 * Safe to run from any number of processes at once. Each channel claims and
 * sends its own batches side by side, so a slow webhook receiver never holds
 * up a sign-in code. Rows of channels not listed are never claimed (nor burnt).
 */
export function drainQueue(channels: readonly QueueChannel[], options: DrainOptions = {}): Promise<DrainResult> {
  // A process shutting down claims nothing more (lib/lifecycle): another instance, or this one restarted, sends it.
  if (isShuttingDown()) return Promise.resolve({ claimed: 0, sent: 0, retried: 0, failed: 0 });
  const run = drainChannels(channels, options);
  activeDrains.add(run);
  void run.finally(() => activeDrains.delete(run)).catch(() => {});
  return run;
}

// On globalThis: Next bundles instrumentation.ts (which waits for them at shutdown) apart from the routes that start drains.
const globalForDrains = globalThis as unknown as { __portalActiveDrains?: Set<Promise<DrainResult>> };
const activeDrains = (globalForDrains.__portalActiveDrains ??= new Set());

/** Resolves once no drain runs in this process (at shutdown: in-flight sends finish and are marked). */
export async function waitForIdleQueue(): Promise<void> {
  while (activeDrains.size > 0) await Promise.allSettled([...activeDrains]);
}

async function drainChannels(channels: readonly QueueChannel[], options: DrainOptions): Promise<DrainResult> {
  const settled = await Promise.allSettled(channels.map((channel) => drainChannel(channel, options)));
  const total: DrainResult = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  for (const result of settled) {
    if (result.status === "rejected") throw result.reason;
    add(total, result.value);
  }
  return total;
}

async function drainChannel(channel: QueueChannel, options: DrainOptions): Promise<DrainResult> {
  const total: DrainResult = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  // Lanes claim and send their own batches side by side (SKIP LOCKED keeps them apart):
  // while one waits on the database, the other keeps requests in flight.
  const lanes = await Promise.all(Array.from({ length: channel.lanes ?? 1 }, () => drainLane(channel, options)));
  for (const lane of lanes) add(total, lane);
  return total;
}

/**
 * A claimed batch being sent: `next` is the next row to start, `unfinished`
 * the rows neither tried nor released, `released` the rows handed back
 * unsent because the process began shutting down.
 */
type OpenBatch = { rows: QueueRow[]; batch: ChannelBatch; outcomes: Outcome[]; next: number; unfinished: number; released: QueueRow[] };

/**
 * One lane: `concurrency` workers take rows one at a time. Once the current
 * batch has no more rows left to start than there are workers, the next
 * batch is claimed and opened in the background (once for all of them), so
 * it is ready when they run out: the lane keeps `concurrency` sends going
 * across batches instead of draining at each batch's tail while the claim
 * (two database round trips, tens of ms on a loaded machine) runs. A batch
 * is finished (its close, then the marks) as soon as its last row was tried,
 * alongside the sends of the next one.
 *
 * A row claimed ahead may wait for the sends in flight and the `concurrency`
 * rows left before its batch starts; however long that takes, its lease is
 * renewed with the others this lane holds, every third of the lease.
 */
async function drainLane(channel: QueueChannel, options: DrainOptions): Promise<DrainResult> {
  const total: DrainResult = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  const limit = options.limit ?? channel.batchSize ?? DEFAULT_BATCH_SIZE;
  const concurrency = Math.max(1, channel.concurrency ?? 1);
  const clock = () => options.now ?? new Date();
  const leaseMs = options.leaseMs ?? QUEUE_LEASE_MS;
  const started = Date.now();
  const finishing: Promise<void>[] = [];
  // Rows claimed and not yet marked or released, with the attempt they were claimed at: their leases are renewed.
  const held = new Map<string, number>();
  const renewal = setInterval(() => {
    if (held.size > 0) void renewLeases(held, new Date(clock().getTime() + leaseMs)).catch(() => {});
  }, leaseMs / 3);
  renewal.unref();
  let current: OpenBatch | null = null;
  /** The next batch, being claimed or claimed (null: none, or no rows). */
  let upcoming: Promise<OpenBatch | null> | null = null;
  let lastClaimed = false;

  // Keep claiming while the last batch was full, for up to maxDurationMs (default: one batch).
  const claimNext = async (): Promise<OpenBatch | null> => {
    try {
      // Back-pressure: earlier batches are marked before another is claimed (the current one is still in flight).
      await Promise.allSettled(finishing);
      const rows = await claimDueRows(channel.name, clock(), limit, options.ids, leaseMs);
      for (const row of rows) held.set(row.id, row.attempts);
      const more = options.maxDurationMs !== undefined && rows.length === limit && Date.now() - started < options.maxDurationMs;
      if (!more) lastClaimed = true;
      return rows.length === 0 ? null : { rows, batch: await channel.openBatch(rows, clock()), outcomes: [], next: 0, unfinished: rows.length, released: [] };
    } catch (error) {
      lastClaimed = true; // the rows already taken are still tried and marked; no new batch
      throw error;
    }
  };
  const claimAhead = () => {
    if (upcoming || lastClaimed || isShuttingDown()) return;
    upcoming = claimNext();
    // Awaited by the workers when they get to it; until then a failure must not count as unhandled.
    upcoming.catch(() => {});
  };

  /** The next row of the current batch, if it has one left to start (no promise: the common case). */
  const takeReady = (): [OpenBatch, QueueRow] | null => {
    const open: OpenBatch | null = current;
    if (!open || open.next >= open.rows.length || isShuttingDown()) return null;
    const row = open.rows[open.next++]!;
    if (open.rows.length - open.next <= concurrency) claimAhead();
    return [open, row];
  };

  // Once `count` more rows of `open` are tried or released, it is closed and marked (exactly once).
  const settle = (open: OpenBatch, count: number) => {
    open.unfinished -= count;
    if (open.unfinished !== 0) return;
    const finished = finishBatch(channel, open)
      .then((result) => add(total, result))
      .finally(() => {
        for (const row of open.rows) held.delete(row.id);
      });
    // Awaited below; until then a failure must not count as unhandled.
    finished.catch(() => {});
    finishing.push(finished);
  };

  const take = async (): Promise<[OpenBatch, QueueRow] | null> => {
    for (;;) {
      if (isShuttingDown()) {
        // Shutting down: the rows not started yet go back to the queue now rather than waiting
        // out their lease, and so does a batch being claimed ahead, once its claim is back.
        lastClaimed = true;
        const open: OpenBatch | null = current;
        if (open && open.next < open.rows.length) {
          open.released.push(...open.rows.slice(open.next));
          const count = open.rows.length - open.next;
          open.next = open.rows.length;
          settle(open, count);
        }
        if (!upcoming) return null;
      } else {
        const ready = takeReady();
        if (ready) return ready;
        if (!upcoming) {
          if (lastClaimed) return null;
          claimAhead();
        }
      }
      const awaited = upcoming!;
      const next = await awaited;
      // The first worker back moves the lane on to the new batch; the others then take from it.
      if (upcoming === awaited) {
        upcoming = null;
        current = next;
      }
    }
  };

  const worker = async () => {
    for (let next = takeReady() ?? (await take()); next; next = takeReady() ?? (await take())) {
      const [open, row] = next;
      try {
        await open.batch.send(row);
        open.outcomes.push({ row, status: "sent", at: clock(), kept: open.batch.keptAfterSend?.(row) });
      } catch (error) {
        open.outcomes.push(failedAttempt(channel, row, error, clock()));
      }
      settle(open, 1);
    }
  };

  // Whatever happens to a claim, every batch already taken is tried and marked (or left leased, if that fails too).
  const workers = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  const finished = await Promise.allSettled(finishing);
  clearInterval(renewal);
  for (const result of [...workers, ...finished]) if (result.status === "rejected") throw result.reason;
  return total;
}

function add(total: DrainResult, result: DrainResult): void {
  total.claimed += result.claimed;
  total.sent += result.sent;
  total.retried += result.retried;
  total.failed += result.failed;
}

async function finishBatch(channel: QueueChannel, { rows, batch, outcomes, released }: OpenBatch): Promise<DrainResult> {
  const result: DrainResult = { claimed: rows.length - released.length, sent: 0, retried: 0, failed: 0 };
  await batch.close?.();
  await whileDatabaseReturns(() => markOutcomes(outcomes));
  await whileDatabaseReturns(() => releaseRows(released));
  for (const outcome of outcomes) {
    if (outcome.status === "sent") result.sent++;
    else if (outcome.status === "pending") result.retried++;
    else {
      result.failed++;
      channel.onGiveUp?.(outcome.row, outcome.error);
    }
  }
  return result;
}

/** Runs `write`, again after each of MARK_RETRY_DELAYS_MS while it fails because the database is unreachable. */
async function whileDatabaseReturns(write: () => Promise<unknown>): Promise<void> {
  for (let retry = 0; ; retry++) {
    try {
      await write();
      return;
    } catch (error) {
      const delay = MARK_RETRY_DELAYS_MS[retry];
      if (delay === undefined || !isDatabaseUnavailable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function failedAttempt(channel: QueueChannel, row: QueueRow, error: unknown, at: Date): Outcome {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  if (error instanceof GiveUpError || row.attempts >= maxAttempts(channel)) return { row, status: "failed", at, error: message };
  const delay = channel.retryDelaysMs[Math.min(row.attempts, channel.retryDelaysMs.length) - 1]!;
  return { row, status: "pending", at, error: message, nextAttemptAt: new Date(at.getTime() + delay) };
}

/**
 * The claim ($1 channel, $2 lease end, $3 now, $4 limit, $5 ids or null), see
 * claimDueRows; exported for the test that checks its plan.
 */
export const QUEUE_CLAIM_SQL = `WITH pending AS (
      SELECT id, "nextAttemptAt" FROM "OutboxMessage"
      WHERE status = 'pending' AND channel = $1 AND "nextAttemptAt" <= $3::timestamp(3) AND ($5::text[] IS NULL OR id = ANY($5::text[]))
      ORDER BY "nextAttemptAt"
      LIMIT $4
      FOR UPDATE SKIP LOCKED
    ), expired AS (
      SELECT id, "nextAttemptAt" FROM "OutboxMessage"
      WHERE status = 'sending' AND channel = $1 AND "nextAttemptAt" <= $3::timestamp(3) AND ($5::text[] IS NULL OR id = ANY($5::text[]))
      ORDER BY "nextAttemptAt"
      LIMIT $4
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      SELECT id FROM (SELECT * FROM pending UNION ALL SELECT * FROM expired) AS due ORDER BY "nextAttemptAt" LIMIT $4
    )
    UPDATE "OutboxMessage" AS message
    SET status = 'sending', attempts = message.attempts + 1, "nextAttemptAt" = $2::timestamp(3), "updatedAt" = $3::timestamp(3)
    WHERE message.id = ANY(ARRAY(SELECT id FROM claimed))
    RETURNING message.id, message.channel, message."to", message.template, message.payload, message.attempts, message."createdAt" AT TIME ZONE 'UTC' AS "createdAt"`;

async function claimDueRows(channel: string, now: Date, limit: number, ids: string[] | undefined, leaseMs: number): Promise<QueueRow[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  // One statement: the sub-selects lock due rows (skipping rows another worker holds)
  // and the update leases them, so a row is never claimed twice. Due rows are the
  // pending ones and the "sending" ones whose lease ran out, each read in nextAttemptAt
  // order off the (status, channel, nextAttemptAt) index and cut at `limit`, then the
  // earliest `limit` of both: one sub-select with `status IN (...)` had to fetch and
  // sort every due row on each claim (a fan-out's claims scanned the whole backlog).
  // The update finds them by id through the primary key (= ANY of an array: a join
  // could pick a scan of the whole table while it is small).
  // node-postgres, not Prisma: see getPgPool. Timestamps travel as ISO text: the columns
  // are timestamp(3) holding UTC, and the cast drops the "Z"; createdAt comes back as timestamptz (UTC).
  const { rows } = await getPgPool().query<QueueRow>({
    // Named: prepared once per connection, then neither parsed nor planned again.
    name: "queue-claim",
    text: QUEUE_CLAIM_SQL,
    values: [channel, leaseUntil.toISOString(), now.toISOString(), limit, ids ?? null],
  });
  return rows;
}

/**
 * Marks a batch's rows in one statement; a row whose lease another worker
 * took over in the meantime (its attempt number moved on) is left to that worker.
 */
async function markOutcomes(outcomes: Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const column = <T>(pick: (outcome: Outcome) => T) => outcomes.map(pick);
  // Timestamps travel as ISO text: the columns are timestamp(3) holding UTC, and a cast to timestamp drops the "Z".
  await getPgPool().query({
    name: "queue-mark",
    text: `UPDATE "OutboxMessage" AS message
    SET status = outcome.status::"OutboxStatus",
      "sentAt" = CASE WHEN outcome.status = 'sent' THEN outcome.at::timestamp(3) ELSE message."sentAt" END,
      "nextAttemptAt" = COALESCE(outcome.next::timestamp(3), message."nextAttemptAt"),
      "lastError" = outcome.error,
      payload = COALESCE(outcome.payload::jsonb, message.payload),
      "updatedAt" = outcome.at::timestamp(3)
    FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
      AS outcome(id, attempts, status, at, next, error, payload)
    WHERE message.id = outcome.id AND message.status = 'sending' AND message.attempts = outcome.attempts`,
    values: [
      column((o) => o.row.id),
      column((o) => o.row.attempts),
      column((o) => o.status),
      column((o) => o.at.toISOString()),
      column((o) => (o.status === "pending" ? o.nextAttemptAt.toISOString() : null)),
      column((o) => (o.status === "sent" ? null : o.error)),
      column((o) => (o.status === "sent" && o.kept ? JSON.stringify(o.kept) : null)),
    ],
  });
}

/** Extends the leases of rows this worker still holds (same attempt, still "sending"). */
async function renewLeases(held: Map<string, number>, until: Date): Promise<void> {
  const rows = [...held];
  await getPgPool().query({
    name: "queue-renew",
    text: `UPDATE "OutboxMessage" AS message
    SET "nextAttemptAt" = $3::timestamp(3)
    FROM unnest($1::text[], $2::int[]) AS held(id, attempts)
    WHERE message.id = held.id AND message.status = 'sending' AND message.attempts = held.attempts`,
    values: [rows.map(([id]) => id), rows.map(([, attempts]) => attempts), until.toISOString()],
  });
}

/**
 * Hands claimed rows back unsent (shutting down): due now, and the attempt
 * they were claimed with uncounted, as if never claimed. A row whose lease
 * another worker took over meanwhile is left to it.
 */
async function releaseRows(rows: QueueRow[]): Promise<void> {
  if (rows.length === 0) return;
  const now = new Date().toISOString();
  await getPgPool().query({
    text: `UPDATE "OutboxMessage" AS message
    SET status = 'pending', attempts = message.attempts - 1, "nextAttemptAt" = $3::timestamp(3), "updatedAt" = $3::timestamp(3)
    FROM unnest($1::text[], $2::int[]) AS released(id, attempts)
    WHERE message.id = released.id AND message.status = 'sending' AND message.attempts = released.attempts`,
    values: [rows.map((row) => row.id), rows.map((row) => row.attempts), now],
  });
}
