// No "server-only" here: a phone field may import this for the same checks in the browser.
import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode, type NumberType } from "libphonenumber-js/max";
import { AppError } from "@/lib/errors";

export type { CountryCode };

/**
 * Number types that can receive a text. "max" metadata tells landlines from
 * mobiles in most countries; where it cannot (US/CA: FIXED_LINE_OR_MOBILE) the
 * number is let through and the provider has the last word. VoIP and personal
 * numbers often take texts, so they are not refused here either.
 */
const TEXTABLE_TYPES = new Set<NumberType>(["MOBILE", "FIXED_LINE_OR_MOBILE", "PERSONAL_NUMBER", "VOIP", undefined]);

/** Digits with the separators people type: spaces, dashes, dots, slashes, parentheses, one leading +. */
const ALLOWED_CHARACTERS = /^\+?[\d\s\-().\/]+$/;

function invalid(message: string): AppError {
  return new AppError("validation_failed", message, { fields: { phone: [message] } });
}

/**
 * A phone number as typed (national with `defaultCountry`, +E.164, or with the
 * international 00 prefix) -> E.164 ("+14155552671"). Throws `validation_failed`
 * with a `phone` field error for anything that cannot receive an SMS code.
 */
export function normalizePhoneNumber(input: string, defaultCountry?: CountryCode): string {
  const trimmed = input.trim();
  if (!trimmed) throw invalid("Enter your phone number.");
  if (!ALLOWED_CHARACTERS.test(trimmed)) throw invalid("Use digits only (spaces, dashes and parentheses are fine).");
  // 00 is the international prefix in most of the world; libphonenumber reads it only for some default countries.
  const text = trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : trimmed;
  const options = { defaultCountry, extract: false };

  switch (validatePhoneNumberLength(text, options)) {
    case "INVALID_COUNTRY":
      throw invalid(
        text.startsWith("+")
          ? "That country code does not exist."
          : "Start with + and your country code, e.g. +44 7400 123456.",
      );
    case "NOT_A_NUMBER":
      throw invalid("Enter a phone number.");
    case "TOO_SHORT":
      throw invalid("This phone number is too short.");
    case "TOO_LONG":
      throw invalid("This phone number is too long.");
    case "INVALID_LENGTH":
      throw invalid("This phone number has the wrong number of digits.");
  }

  const parsed = parsePhoneNumberFromString(text, options);
  if (!parsed || !parsed.isPossible() || !parsed.isValid()) throw invalid("This is not a valid phone number.");
  if (!TEXTABLE_TYPES.has(parsed.getType())) throw invalid("This number cannot receive text messages. Use a mobile number.");
  return parsed.number;
}

/** "+14155552671" -> "•••• 2671": enough for "we sent a code to …" without showing the number. */
export function maskPhoneNumber(e164: string): string {
  const digits = e164.replace(/\D/g, "");
  return `•••• ${digits.slice(-4)}`;
}
