import { describe, expect, it } from "vitest";
import { formatBackupCode, looksLikeBackupCode, normalizeBackupCode } from "./backup-code";

describe("backup codes as typed on the second-factor step", () => {
  it.each([
    ["abcde-23456", "as shown"],
    ["ABCDE-23456", "upper case"],
    ["abcde23456", "without the dash"],
    [" abcde 23456 ", "a space instead of the dash, and around"],
    ["abcde–23456", "an en dash (mail and PDF prettify dashes)"],
    ["ａｂｃｄｅ-２３４５６", "full-width characters"],
  ])("%j (%s) is the code abcde23456", (typed) => {
    expect(normalizeBackupCode(typed)).toBe("abcde23456");
    expect(looksLikeBackupCode(typed)).toBe(true);
    expect(formatBackupCode(typed)).toBe("abcde-23456");
  });

  it.each([
    ["", "empty"],
    ["abcde-2345", "nine characters"],
    ["abcde-234567", "eleven characters"],
    ["123456", "an authenticator code"],
    ["abcde_23456", "an underscore"],
  ])("%j (%s) is not a backup code", (typed) => {
    expect(looksLikeBackupCode(typed)).toBe(false);
  });

  it("leaves what is not ten characters unformatted (normalized only)", () => {
    expect(formatBackupCode("AB CD")).toBe("abcd");
  });
});
