import crypto from "node:crypto";
import KSUID from "ksuid";
import { describe, expect, it, vi } from "vitest";
import { newId, newIds } from "./ids";

describe("newIds", () => {
  it("makes the ids the ksuid package makes from the same time and random bytes", () => {
    const at = new Date("2026-12-01T06:00:00.123Z");
    const draws: Buffer[] = [];
    const spy = vi.spyOn(crypto, "randomBytes").mockImplementation(((size: number) => {
      const bytes = crypto.webcrypto.getRandomValues(Buffer.alloc(size));
      // Edge cases first: all zero and all one bits.
      if (draws.length === 0) {
        bytes.fill(0, 0, 16);
        bytes.fill(0xff, 16, 32);
      }
      draws.push(bytes);
      return bytes;
    }) as typeof crypto.randomBytes);
    try {
      for (const time of [at, new Date(14e11), new Date(14e11 + (2 ** 32 - 1) * 1000)]) {
        const ids = newIds("webhookAttempt", 500, time);
        const random = draws.at(-1)!;
        expect(ids).toEqual(
          Array.from({ length: 500 }, (_, n) => `wha_${KSUID.fromParts(time.getTime(), random.subarray(16 * n, 16 * (n + 1))).string}`),
        );
      }
    } finally {
      spy.mockRestore();
    }
  });

  it("ids are unique, of newId's shape, and sort after older ones", () => {
    const older = newId("webhookAttempt");
    const ids = newIds("webhookAttempt", 1000, new Date(Date.now() + 2000));
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^wha_[0-9A-Za-z]{27}$/);
    expect(ids.every((id) => id > older)).toBe(true);
    expect(newIds("outbox", 0)).toEqual([]);
  });
});
