import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetConfigCache } from "@/lib/config";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { drainQueue, simpleChannel } from "./index";

/**
 * A TCP proxy in front of this file's database, which the app reaches only
 * through it: `cut(ms)` drops every connection and refuses new ones for `ms`,
 * which is what a database restart looks like from the app (issue 17's soak).
 */
function databaseProxy(target: URL) {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let refusingUntil = 0;
  const server = net.createServer((client) => {
    if (Date.now() < refusingUntil) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port))),
    cut(ms: number) {
      refusingUntil = Date.now() + ms;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const direct = new URL(process.env.DATABASE_URL!);
const proxy = databaseProxy(direct);

beforeAll(async () => {
  const port = await proxy.listen();
  const through = new URL(direct);
  through.hostname = "127.0.0.1";
  through.port = String(port);
  // Before the first query: the app's client is created on first use, with this URL.
  process.env.DATABASE_URL = through.toString();
  resetConfigCache();
});

afterAll(async () => {
  await db.$disconnect();
  await proxy.close();
});

describe("a batch sent just before a database restart", () => {
  it("is marked once the database is back, not left leased to be sent again after the lease", async () => {
    const name = `test-${newId("outbox").slice(-8)}`;
    const id = newId("outbox");
    await db.outboxMessage.create({ data: { id, channel: name, to: "someone", template: "t", payload: {} } });
    let sends = 0;
    const channel = simpleChannel({
      name,
      retryDelaysMs: [60_000],
      async send() {
        sends++;
        // Delivered; then the database goes away (every connection cut) for 1.5 s before the batch is marked.
        proxy.cut(1_500);
      },
    });

    const result = await drainQueue([channel]);

    expect(result).toMatchObject({ claimed: 1, sent: 1 });
    expect(sends).toBe(1);
    const row = await db.outboxMessage.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "sent", attempts: 1 });
  });
});
