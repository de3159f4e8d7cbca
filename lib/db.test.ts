import { describe, expect, it } from "vitest";
import { db, DbInsideTransactionError } from "./db";

describe("db inside a transaction", () => {
  it("is refused: inside $transaction only the transaction's client may be used (one connection would wait forever)", async () => {
    await expect(db.$transaction(async () => db.user.count())).rejects.toBeInstanceOf(DbInsideTransactionError);
    await expect(db.$transaction(async () => db.$queryRaw`SELECT 1`)).rejects.toThrow(/use the transaction's client/);
    // Work started inside the callback carries the mark too (a forgotten `tx` in a helper).
    const helper = async () => db.instanceSettings.findUnique({ where: { id: "default" } });
    await expect(db.$transaction(async () => helper())).rejects.toBeInstanceOf(DbInsideTransactionError);
  });

  it("is fine through tx, and outside the transaction afterwards", async () => {
    await expect(db.$transaction(async (tx) => tx.user.count())).resolves.toBeGreaterThanOrEqual(0);
    await expect(db.user.count()).resolves.toBeGreaterThanOrEqual(0);
  });
});
