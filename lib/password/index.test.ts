import fs from "node:fs";
import os from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { assertPasswordPolicy, hashPassword, needsRehash, verifyAgainstDummyHash, verifyPassword } from "./index";
import { evaluatePassword } from "./policy";
import { getPasswordHashPool } from "./worker-pool";

const PASSWORD = "violet-harbor-quartz-sledge";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("hashPassword / verifyPassword", () => {
  it("round-trips at the configured cost (4 in tests)", async () => {
    expect(getConfig().AUTH_BCRYPT_COST).toBe(4);
    const { hash, cost } = await hashPassword(PASSWORD);
    expect(cost).toBe(4);
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    await expect(verifyPassword(PASSWORD, hash)).resolves.toBe(true);
  });

  it("salts every hash", async () => {
    const [first, second] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    expect(first.hash).not.toBe(second.hash);
  });

  it("says false for a wrong password", async () => {
    const { hash } = await hashPassword(PASSWORD);
    await expect(verifyPassword("violet-harbor-quartz-sledgE", hash)).resolves.toBe(false);
    await expect(verifyPassword("", hash)).resolves.toBe(false);
  });

  it("handles multi-byte passwords", async () => {
    const password = "żółć-gęślą-jaźń-🦊";
    const { hash } = await hashPassword(password);
    await expect(verifyPassword(password, hash)).resolves.toBe(true);
    await expect(verifyPassword(password.normalize("NFD"), hash)).resolves.toBe(false);
  });

  it("refuses to hash more than 72 bytes instead of truncating", async () => {
    const error = await hashPassword("🔒".repeat(30)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("password_policy");
    expect((error as AppError).fields?.password?.[0]).toMatch(/72 bytes/);
  });

  it("never matches a password over 72 bytes on its first 72 bytes alone", async () => {
    const first72 = "a".repeat(72);
    const { hash } = await hashPassword(first72);
    await expect(verifyPassword(first72, hash)).resolves.toBe(true);
    await expect(verifyPassword(`${first72}b`, hash)).resolves.toBe(false);
  });
});

describe("verifyAgainstDummyHash", () => {
  it("does a full bcrypt comparison at the current cost and answers false", async () => {
    const run = vi.spyOn(getPasswordHashPool(), "run");
    await expect(verifyAgainstDummyHash(PASSWORD)).resolves.toBe(false);
    expect(run).toHaveBeenCalledTimes(1);
    const request = run.mock.calls[0]![0];
    expect(request).toMatchObject({ op: "compare", password: PASSWORD });
    expect(request.op === "compare" && request.hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    // The dummy hash is well-formed: bcrypt really compared (a malformed hash would short-circuit to false).
    await expect(run.mock.results[0]!.value).resolves.toBe(false);
  });
});

describe("needsRehash", () => {
  it("is true only when the stored cost differs from AUTH_BCRYPT_COST", () => {
    expect(needsRehash(4)).toBe(false);
    expect(needsRehash(10)).toBe(true);
    expect(needsRehash(3)).toBe(true);
  });
});

describe("assertPasswordPolicy", () => {
  it("passes a strong password", async () => {
    await expect(assertPasswordPolicy(PASSWORD, { userInputs: ["someone@example.com"] })).resolves.toBeUndefined();
  });

  it("throws a password_policy AppError with every message under the password field", async () => {
    let thrown: unknown;
    try {
      await assertPasswordPolicy("1234567");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    const error = thrown as AppError;
    expect(error.code).toBe("password_policy");
    expect(error.status).toBe(422);
    expect(error.message).toBe("Use at least 8 characters.");
    expect(error.fields).toEqual({
      password: ["Use at least 8 characters.", "This password has appeared in a data breach. Choose another."],
    });
  });

  it("includes zxcvbn's hint for a weak password", async () => {
    const evaluation = evaluatePassword("Summer2024");
    await expect(assertPasswordPolicy("Summer2024")).rejects.toThrow(
      expect.objectContaining({
        code: "password_policy",
        fields: { password: ["Too easy to guess. Add another word or two.", evaluation.suggestion] },
      }),
    );
  });

  it("uses the given minimum score and user inputs", async () => {
    await expect(assertPasswordPolicy("Summer2024", { minScore: 1 })).resolves.toBeUndefined();
    await expect(
      assertPasswordPolicy("zbigniewkowalczyk", { userInputs: ["zbigniew.kowalczyk@example.com", "zbigniew", "kowalczyk"] }),
    ).rejects.toThrow(AppError);
  });
});

describe("the shared hash pool", () => {
  it("keeps the event loop ticking while a cost-12 hash runs", async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 5);
    try {
      const hash = await getPasswordHashPool().run({ op: "hash", password: PASSWORD, cost: 12 });
      expect(hash).toMatch(/^\$2b\$12\$/);
    } finally {
      clearInterval(interval);
    }
    // A synchronous hash on this thread would have held the interval back until it returned.
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it("serves 8 concurrent hashes, each verifiable", async () => {
    const passwords = Array.from({ length: 8 }, (_, index) => `${PASSWORD}-${index}`);
    const hashes = await Promise.all(passwords.map((password) => hashPassword(password)));
    const pool = getPasswordHashPool();
    expect(pool.workerCount).toBeLessThanOrEqual(pool.size);
    const checks = await Promise.all(hashes.map(({ hash }, index) => verifyPassword(passwords[index]!, hash)));
    expect(checks).toEqual(Array(8).fill(true));
    const crossed = await verifyPassword(passwords[0]!, hashes[1]!.hash);
    expect(crossed).toBe(false);
  });

  it.runIf(process.platform === "linux")("runs its threads at a lower priority than the request thread", async () => {
    const pool = getPasswordHashPool();
    await Promise.all(Array.from({ length: pool.size }, () => hashPassword(PASSWORD)));
    // Linux keeps a nice value per thread: each hash worker lowered its own (HASH_THREAD_NICE in hash-worker.mjs, 10).
    const lowered = fs.readdirSync("/proc/self/task").filter((tid) => os.getPriority(Number(tid)) >= 10);
    expect(pool.workerCount).toBeGreaterThan(0);
    expect(lowered).toHaveLength(pool.workerCount);
    expect(os.getPriority(process.pid)).toBeLessThan(10);
  });

  it("rejects a malformed request without breaking the pool", async () => {
    const pool = getPasswordHashPool();
    await expect(pool.run({ op: "hash", password: PASSWORD, cost: Number.NaN })).rejects.toThrow(/cost must be an integer/);
    await expect(hashPassword(PASSWORD)).resolves.toMatchObject({ cost: 4 });
  });
});
