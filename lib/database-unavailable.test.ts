import net from "node:net";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { errorResponse } from "@/lib/http/responses";
import { isDatabaseUnavailable } from "./database-unavailable";

/** A port nothing listens on (bound, read, released): a database that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const clients: PrismaClient[] = [];
afterAll(async () => {
  for (const client of clients) await client.$disconnect().catch(() => {});
});

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

// Issue 17: the soak's PostgreSQL restart made every request in flight an "unexpected error" 500 with a logged stack.
describe("a database that cannot be reached answers 503 with Retry-After, not 500", () => {
  it("maps the real error of a query against a stopped server to 503 unavailable", async () => {
    const port = await closedPort();
    const down = new PrismaClient({ adapter: new PrismaPg({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${port}/nowhere`, connectionTimeoutMillis: 2_000 }) });
    clients.push(down);
    const error = await errorOf(() => down.user.findFirst());
    expect(isDatabaseUnavailable(error)).toBe(true);
    const response = errorResponse(error);
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("5");
    const body = await response.json();
    expect(body.errors[0].code).toBe("unavailable");
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|prisma|at /i);
  });

  it("keeps a real query bug (a unique violation) and any other error a 500", async () => {
    const id = newId("user");
    await db.user.create({ data: { id } });
    const duplicate = await errorOf(() => db.user.create({ data: { id } }));
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(errorResponse(duplicate).status).toBe(500);
    expect(errorResponse(new Error("boom")).status).toBe(500);
  });
});
