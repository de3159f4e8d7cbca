import { describe, expect, it } from "vitest";
import { isCompleteCode, normalizeCode } from "./code-input";

describe("normalizeCode (what a paste puts in the code field)", () => {
  it.each([
    ["123456", "plain"],
    ["123 456", "two groups of three"],
    [" 123456", "a leading space"],
    ["123-456", "a dash"],
    ["123–456", "an en dash"],
    ["Code: 123456", "a label"],
    ["Code: 123-456", "a label and a dash"],
    ["123456\n", "a trailing newline"],
    ["\t123 456 \r\n", "whitespace around"],
    ["１２３４５６", "full-width digits"],
    ["１２３ ４５６", "full-width digits in groups"],
  ])("%j (%s) gives 123456", (pasted) => {
    expect(normalizeCode(pasted)).toBe("123456");
  });

  it("takes the one six-digit group out of text with other numbers", () => {
    expect(normalizeCode("Sent 10:42. Your code is 123 456, valid for 10 minutes.")).toBe("123456");
    expect(normalizeCode("2026-11-30: 123456")).toBe("123456");
  });

  it("takes the first six digits when no single six-digit group stands out", () => {
    expect(normalizeCode("123456 or 654321")).toBe("123456"); // two codes: the first
    expect(normalizeCode("1234567890")).toBe("123456"); // one long number
    expect(normalizeCode("12:34:56:78")).toBe("123456");
  });

  it("keeps fewer than six digits, so the field shows what arrived", () => {
    expect(normalizeCode("12 34")).toBe("1234");
    expect(normalizeCode("code 7")).toBe("7");
  });

  it("gives nothing for text without digits", () => {
    expect(normalizeCode("Code: abcdef")).toBe("");
    expect(normalizeCode("")).toBe("");
  });
});

describe("isCompleteCode", () => {
  it("is true for exactly six ASCII digits only", () => {
    expect(isCompleteCode("123456")).toBe(true);
    expect(isCompleteCode("12345")).toBe(false);
    expect(isCompleteCode("1234567")).toBe(false);
    expect(isCompleteCode("123 456")).toBe(false);
    expect(isCompleteCode("１２３４５６")).toBe(false);
  });
});
