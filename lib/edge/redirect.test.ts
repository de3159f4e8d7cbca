import { describe, expect, it } from "vitest";
import { safeRedirectUrl } from "./redirect";

const allowedOrigins = ["https://app.example.com"];

describe("safeRedirectUrl", () => {
  it.each([
    ["/dashboard?tab=1#x", "/dashboard?tab=1#x"],
    ["/", "/"],
    ["https://app.example.com/after", "https://app.example.com/after"],
  ])("allows %s", (input, expected) => {
    expect(safeRedirectUrl(input, { allowedOrigins })).toBe(expected);
  });

  it.each([
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "http://app.example.com.evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,hi",
    "/\\evil.example",
    "/\tevil",
    "evil.example",
    "",
    "x".repeat(3000),
  ])("refuses %s", (input) => {
    expect(safeRedirectUrl(input, { allowedOrigins })).toBe("/");
  });

  it("uses the given fallback", () => {
    expect(safeRedirectUrl(null, { fallback: "/home" })).toBe("/home");
  });
});
