import { describe, expect, it } from "vitest";
import { getBranding } from "@/lib/branding";
import { getInstanceSettings } from "@/lib/settings";
import { db, DbInsideTransactionError } from "./db";

describe("db inside a transaction", () => {
  it("is refused: inside $transaction only the transaction's client may be used (one connection would wait forever)", async () => {
    await expect(db.$transaction(async () => db.user.count())).rejects.toBeInstanceOf(DbInsideTransactionError);
    await expect(db.$transaction(async () => db.$queryRaw`SELECT 1`)).rejects.toThrow(/use the transaction's client/);
    // Work started inside the callback carries the mark too (a forgotten `tx` in a helper).
    const helper = async () => db.instanceSettings.findUnique({ where: { id: "default" } });
    await expect(db.$transaction(async () => helper())).rejects.toBeInstanceOf(DbInsideTransactionError);
  });

  it("refuses a settings or branding read inside a transaction even when the cache would answer it", async () => {
    await getBranding(); // both caches warm: no query would be made
    await expect(db.$transaction(async () => getInstanceSettings())).rejects.toThrow(
      /a settings read used inside db\.\$transaction: read it before opening the transaction/,
    );
    await expect(db.$transaction(async () => getBranding())).rejects.toBeInstanceOf(DbInsideTransactionError);
    await expect(getInstanceSettings()).resolves.toBeDefined(); // and outside, as ever
  });

  it("is fine through tx, and outside the transaction afterwards", async () => {
    await expect(db.$transaction(async (tx) => tx.user.count())).resolves.toBeGreaterThanOrEqual(0);
    await expect(db.user.count()).resolves.toBeGreaterThanOrEqual(0);
  });
});
