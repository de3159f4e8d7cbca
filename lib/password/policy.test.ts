import { describe, expect, it } from "vitest";
import { DEFAULT_MIN_SCORE, PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH, evaluatePassword, type PasswordIssueCode } from "./policy";

const STRONG_PASSPHRASE = "violet-harbor-quartz-sledge";

function issueCodes(password: string, options?: Parameters<typeof evaluatePassword>[1]): PasswordIssueCode[] {
  return evaluatePassword(password, options).issues.map((issue) => issue.code);
}

describe("evaluatePassword", () => {
  it("uses the S3 defaults", () => {
    expect(PASSWORD_MIN_LENGTH).toBe(8);
    expect(PASSWORD_MAX_BYTES).toBe(72);
    expect(DEFAULT_MIN_SCORE).toBe(2);
  });

  it("accepts a strong passphrase", () => {
    const evaluation = evaluatePassword(STRONG_PASSPHRASE);
    expect(evaluation).toEqual({ ok: true, score: 4, issues: [] });
  });

  it("rejects fewer than 8 characters", () => {
    const evaluation = evaluatePassword("Vx9#qLm");
    expect(evaluation.ok).toBe(false);
    expect(evaluation.issues).toEqual([{ code: "too_short", message: "Use at least 8 characters." }]);
  });

  it("counts characters, not bytes, for the minimum length", () => {
    // 8 emoji are 8 characters (32 bytes): long enough, and not short of the limit either.
    expect(issueCodes("🦊🌲🪵🍄🦉🌙⛺🔥")).not.toContain("too_short");
    expect(issueCodes("🦊🌲🪵🍄🦉🌙⛺")).toContain("too_short");
  });

  it("accepts exactly 72 bytes and rejects 73", () => {
    const seventyTwo = `${STRONG_PASSPHRASE}-`.repeat(3).slice(0, 72);
    expect(new TextEncoder().encode(seventyTwo).byteLength).toBe(72);
    expect(evaluatePassword(seventyTwo).ok).toBe(true);

    const seventyThree = `${seventyTwo}x`;
    expect(issueCodes(seventyThree)).toEqual(["too_long"]);
  });

  it("rejects 30 emoji (30 characters, 120 bytes) and explains bcrypt's byte limit", () => {
    const emoji = "🔒".repeat(30);
    expect(Array.from(emoji)).toHaveLength(30);
    const evaluation = evaluatePassword(emoji);
    expect(evaluation.ok).toBe(false);
    const tooLong = evaluation.issues.find((issue) => issue.code === "too_long");
    expect(tooLong?.message).toMatch(/at most 72 bytes \(bcrypt's limit\)/);
    expect(tooLong?.message).toMatch(/multi-byte characters count more than once/);
    expect(tooLong?.message).toContain("120 bytes");
  });

  it("counts a multi-byte character by its UTF-8 bytes at the boundary", () => {
    const base = "a".repeat(70); // + "é" (2 bytes) = 72 bytes; + "€" (3 bytes) = 73 bytes
    expect(issueCodes(`${base}é`)).not.toContain("too_long");
    expect(issueCodes(`${base}€`)).toContain("too_long");
  });

  it.each(["password123", "qwertyuiop", "iloveyou1", "letmein123", "P@ssw0rd"])(
    "rejects %s from the bundled breached-password list",
    (password) => {
      const evaluation = evaluatePassword(password);
      expect(evaluation.ok).toBe(false);
      expect(evaluation.issues).toEqual([
        { code: "breached", message: "This password has appeared in a data breach. Choose another." },
      ]);
      expect(evaluation.score).toBe(0);
    },
  );

  it("matches the breached list case-insensitively on the whole password", () => {
    expect(issueCodes("PASSWORD123")).toContain("breached");
    expect(issueCodes("QwertyUIOP")).toContain("breached");
    // Containing a listed password is a matter for the strength score, not the list.
    expect(issueCodes(`${STRONG_PASSPHRASE}password123`)).not.toContain("breached");
  });

  it("still flags a breached password even when the minimum score is 0", () => {
    expect(issueCodes("password123", { minScore: 0 })).toEqual(["breached"]);
  });

  it("rejects a weak password that is not on the list by its strength score", () => {
    const evaluation = evaluatePassword("Summer2024");
    expect(evaluation.ok).toBe(false);
    expect(evaluation.score).toBeLessThan(DEFAULT_MIN_SCORE);
    expect(evaluation.issues).toEqual([{ code: "too_weak", message: "Too easy to guess. Add another word or two." }]);
    expect(evaluation.suggestion).toEqual(expect.any(String));
  });

  it("scores passwords built from the user's own details low", () => {
    const password = "zbigniewkowalczyk";
    expect(evaluatePassword(password).ok).toBe(true);
    const evaluation = evaluatePassword(password, {
      userInputs: ["zbigniew.kowalczyk@example.com", "zbigniew", "kowalczyk", ""],
    });
    expect(evaluation.ok).toBe(false);
    expect(evaluation.issues.map((issue) => issue.code)).toEqual(["too_weak"]);
  });

  it("follows the admin-set minimum score", () => {
    expect(evaluatePassword("Summer2024", { minScore: 1 }).ok).toBe(true);
    expect(evaluatePassword("zbigniewkowalczyk", { minScore: 4 }).issues.map((issue) => issue.code)).toEqual(["too_weak"]);
    expect(() => evaluatePassword(STRONG_PASSPHRASE, { minScore: 5 })).toThrow(RangeError);
    expect(() => evaluatePassword(STRONG_PASSPHRASE, { minScore: 1.5 })).toThrow(RangeError);
  });

  it("reports a short password as too short, not also as too weak", () => {
    expect(issueCodes("abc")).toEqual(["too_short"]);
    expect(issueCodes("")).toEqual(["too_short"]);
  });

  it("lists every problem at once", () => {
    // Too short and on the breached list: both are worth knowing ("12345678" is listed too).
    expect(issueCodes("1234567")).toEqual(["too_short", "breached"]);
  });

  it("imports nothing server-only, so the browser can load it", async () => {
    expect(await importSpecifiers("./policy.ts")).toEqual([
      "@zxcvbn-ts/core",
      "@zxcvbn-ts/language-common",
      "@zxcvbn-ts/language-en",
      "./limits",
    ]);
    expect(await importSpecifiers("./limits.ts")).toEqual([]);
  });

  it("is loaded by the server module on first use only (zxcvbn's dictionaries cost most of a second to import)", async () => {
    const fs = await import("node:fs");
    const source = fs.readFileSync(new URL("./index.ts", import.meta.url), "utf8");
    expect(source).toMatch(/\bimport\("\.\/policy"\)/);
    // Type-only imports are erased; any other static import would load the dictionaries with the server.
    expect(source.match(/^(import|export)\s(?!type\b)[^;]*\bfrom\s+"\.\/policy";/gm) ?? []).toEqual([]);
  });
});

/** Module specifiers a source file imports: `... from "x"`, bare `import "x"` and dynamic `import("x")`. */
async function importSpecifiers(file: string): Promise<string[]> {
  const fs = await import("node:fs");
  const source = fs.readFileSync(new URL(file, import.meta.url), "utf8");
  return [...source.matchAll(/\bfrom\s+["']([^"']+)["']|\bimport\s*\(?\s*["']([^"']+)["']/g)].map((match) => (match[1] ?? match[2])!);
}
