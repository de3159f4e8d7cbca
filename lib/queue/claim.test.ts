import { describe, expect, it } from "vitest";
import { db, getPgPool } from "@/lib/db";
import { newId } from "@/lib/ids";
import { drainQueue, simpleChannel, QUEUE_LEASE_MS } from "./index";
import { QUEUE_CLAIM_SQL } from "./queue";

// The claim itself: which rows a batch takes, and that it reads them off the index instead of sorting the whole backlog.

const uniqueChannel = () => `test-${newId("outbox").slice(-8)}`;
const minutes = (n: number) => n * 60_000;

type Row = { status: "pending" | "sending" | "sent"; dueIn: number; channel?: string };

async function insert(channel: string, now: Date, rows: Row[]): Promise<string[]> {
  const ids = rows.map(() => newId("outbox"));
  await db.outboxMessage.createMany({
    data: rows.map((row, n) => ({
      id: ids[n]!,
      channel: row.channel ?? channel,
      to: `to-${n}`,
      template: "t",
      payload: { n },
      status: row.status,
      // For a "sending" row this is its lease's end.
      nextAttemptAt: new Date(now.getTime() + row.dueIn),
      attempts: row.status === "pending" ? 0 : 1,
      createdAt: now,
    })),
  });
  return ids;
}

describe("claiming due rows", () => {
  it("takes the channel's earliest due rows, pending ones and those whose lease ran out alike, at most a batch", async () => {
    const name = uniqueChannel();
    const now = new Date();
    const ids = await insert(name, now, [
      { status: "pending", dueIn: -minutes(4) }, // 0: due
      { status: "sending", dueIn: -minutes(3) }, // 1: its worker died, the lease ran out
      { status: "pending", dueIn: -minutes(2) }, // 2: due
      { status: "sending", dueIn: -minutes(1) }, // 3: lease ran out
      { status: "pending", dueIn: 0 }, // 4: due, but the latest: left for the next batch
      { status: "sending", dueIn: minutes(1) }, // 5: leased to a live worker
      { status: "pending", dueIn: minutes(1) }, // 6: a retry not due yet
      { status: "sent", dueIn: -minutes(5) }, // 7: done
      { status: "pending", dueIn: -minutes(10), channel: uniqueChannel() }, // 8: another channel's
    ]);
    const sent: string[] = [];
    const channel = simpleChannel({ name, retryDelaysMs: [], send: async (row) => void sent.push(row.id) });
    expect(await drainQueue([channel], { now, limit: 4 })).toMatchObject({ claimed: 4, sent: 4 });
    expect(sent.sort()).toEqual([ids[0], ids[1], ids[2], ids[3]].sort());

    const rows = new Map((await db.outboxMessage.findMany({ where: { id: { in: ids } } })).map((row) => [row.id, row]));
    expect([0, 1, 2, 3].map((n) => rows.get(ids[n]!)!.status)).toEqual(["sent", "sent", "sent", "sent"]);
    // A reclaimed row counts its new attempt.
    expect(rows.get(ids[1]!)!.attempts).toBe(2);
    expect([4, 5, 6, 8].map((n) => rows.get(ids[n]!)!.status)).toEqual(["pending", "sending", "pending", "pending"]);

    // The next batch takes the rest that is due, and only that.
    sent.length = 0;
    expect(await drainQueue([channel], { now, limit: 4 })).toMatchObject({ claimed: 1 });
    expect(sent).toEqual([ids[4]]);
    // Once the live worker's lease has run out, its row is due again.
    sent.length = 0;
    expect(await drainQueue([channel], { now: new Date(now.getTime() + minutes(1) + QUEUE_LEASE_MS), limit: 4 })).toMatchObject({ claimed: 2 });
    expect(sent.sort()).toEqual([ids[5], ids[6]].sort());
  });

  it("reads no more rows than a batch takes: off the (status, channel, nextAttemptAt) index, no sort of every due row", async () => {
    const name = uniqueChannel();
    const now = new Date();
    // A backlog, with another channel's due rows interleaved, and a few expired leases.
    await insert(name, now, Array.from({ length: 600 }, (_, n) => ({ status: n % 50 === 0 ? "sending" : "pending", dueIn: -n * 100 })));
    await insert(uniqueChannel(), now, Array.from({ length: 300 }, (_, n) => ({ status: "pending", dueIn: -n * 100 - 50 })));
    await db.$executeRawUnsafe(`ANALYZE "OutboxMessage"`);

    const client = await getPgPool().connect();
    try {
      /** The most rows any scan of OutboxMessage produced, with the planner's own (custom) plan and with a generic plan (a prepared statement's after five runs). */
      const mostRowsScanned = async (planCacheMode: "force_custom_plan" | "force_generic_plan") => {
        await client.query("BEGIN");
        try {
          await client.query(`SET LOCAL plan_cache_mode = ${planCacheMode}`);
          const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${QUEUE_CLAIM_SQL}`, [
            name,
            new Date(now.getTime() + QUEUE_LEASE_MS).toISOString(),
            now.toISOString(),
            25,
            null,
          ]);
          const scans: PlanNode[] = [];
          const walk = (node: PlanNode) => {
            if (node["Relation Name"] === "OutboxMessage" && node["Node Type"] !== "ModifyTable") scans.push(node);
            for (const child of node.Plans ?? []) walk(child);
          };
          walk(rows[0]!["QUERY PLAN"][0].Plan);

          return Math.max(...scans.map((scan) => scan["Actual Rows"] * scan["Actual Loops"]));
        } finally {
          await client.query("ROLLBACK");
        }
      };
      // 25 claimed out of 600 due: each of the two ordered index scans stops after at most 25 rows, and the
      // update finds those by primary key. The old single sub-select fetched and sorted all 600 due rows.
      expect(await mostRowsScanned("force_custom_plan")).toBeLessThanOrEqual(25);
      expect(await mostRowsScanned("force_generic_plan")).toBeLessThanOrEqual(25);
    } finally {
      client.release();
    }
  });
});

type PlanNode = { "Node Type": string; "Relation Name"?: string; "Actual Rows": number; "Actual Loops": number; Plans?: PlanNode[] };
