import { describe, expect, it } from "vitest";
import { countryFromLanguages, formatAsTyped, formatPhoneForDisplay, phoneToSubmit } from "./phone-input";

describe("the phone field's helpers (issue 19)", () => {
  it("sends E.164 for a national number in the chosen country, a +number or a 00 number", () => {
    expect(phoneToSubmit("07400 123456", "GB")).toBe("+447400123456");
    expect(phoneToSubmit("(415) 555-2671", "US")).toBe("+14155552671");
    expect(phoneToSubmit("+44 7400 123456", "US")).toBe("+447400123456");
    expect(phoneToSubmit("0044 7400 123456", "US")).toBe("+447400123456");
  });

  it("sends junk as typed, for the server to explain", () => {
    expect(phoneToSubmit(" 12ab ", "GB")).toBe("12ab");
    expect(phoneToSubmit("", "GB")).toBe("");
  });

  it("formats as typed and picks the country of a typed +country code; deleting is left alone", () => {
    expect(formatAsTyped("+447400123456", "", "US")).toEqual({ text: "+44 7400 123456", country: "GB" });
    expect(formatAsTyped("07400123456", "0740012345", "GB")).toEqual({ text: "07400 123456", country: null });
    expect(formatAsTyped("07400 12345", "07400 123456", "GB")).toEqual({ text: "07400 12345", country: null });
  });

  it("shows numbers in the international format and guesses the country from the browser's languages", () => {
    expect(formatPhoneForDisplay("+447400123456")).toBe("+44 7400 123456");
    expect(formatPhoneForDisplay("not a number")).toBe("not a number");
    expect(countryFromLanguages(["de-DE", "en"])).toBe("DE");
    expect(countryFromLanguages(["zh-Hant-TW"])).toBe("TW");
    expect(countryFromLanguages(["en", "fr"])).toBe("US");
  });
});
