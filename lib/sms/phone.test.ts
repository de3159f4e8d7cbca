import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { maskPhoneNumber, normalizePhoneNumber } from "./phone";

/** The `phone` field error a rejected input gets (fails the test when the input is accepted). */
function phoneError(input: string, country?: Parameters<typeof normalizePhoneNumber>[1]): string {
  try {
    normalizePhoneNumber(input, country);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("validation_failed");
    return (error as AppError).fields!.phone![0]!;
  }
  throw new Error(`${input} was accepted`);
}

describe("normalizePhoneNumber", () => {
  it("turns a national number into E.164 with the default country", () => {
    expect(normalizePhoneNumber("(415) 555-2671", "US")).toBe("+14155552671");
    expect(normalizePhoneNumber("07400 123456", "GB")).toBe("+447400123456");
  });

  it("keeps +E.164 with any spacing, whatever the default country", () => {
    expect(normalizePhoneNumber("+1 415-555-2671")).toBe("+14155552671");
    expect(normalizePhoneNumber(" +49 1512 3456789 ", "US")).toBe("+4915123456789");
  });

  it("reads a leading 00 as the international prefix", () => {
    expect(normalizePhoneNumber("0044 7400 123456")).toBe("+447400123456");
    expect(normalizePhoneNumber("0033 6 12 34 56 78", "US")).toBe("+33612345678");
  });

  it("refuses letters, extensions and other text", () => {
    expect(phoneError("1-800-FLOWERS", "US")).toMatch(/digits only/);
    expect(phoneError("+44 7400 123456 ext. 5")).toMatch(/digits only/);
    expect(phoneError("call me")).toMatch(/digits only/);
  });

  it("refuses numbers that are too short or too long", () => {
    expect(phoneError("12345", "US")).toMatch(/too short/);
    expect(phoneError("+44 7400 12")).toMatch(/too short/);
    expect(phoneError("+1 415 555 26712")).toMatch(/too long/);
  });

  it("asks for the country code when a national number comes without a default country", () => {
    expect(phoneError("07400 123456")).toMatch(/country code/);
  });

  it("refuses an empty input and an unknown country code", () => {
    expect(phoneError("   ")).toMatch(/Enter your phone number/);
    expect(phoneError("+999 1234 5678")).toMatch(/country code/);
  });

  it("refuses landlines and toll-free numbers where the metadata tells them apart", () => {
    expect(phoneError("+44 20 7946 0958")).toMatch(/cannot receive text messages/);
    expect(phoneError("+33 1 23 45 67 89")).toMatch(/cannot receive text messages/);
    expect(phoneError("+1 800 555 0199")).toMatch(/cannot receive text messages/);
    // US/CA numbers can be either: let through (the provider has the last word).
    expect(normalizePhoneNumber("+1 212 555 0123")).toBe("+12125550123");
  });
});

describe("maskPhoneNumber", () => {
  it("shows only the last four digits", () => {
    expect(maskPhoneNumber("+14155552671")).toBe("•••• 2671");
  });
});
