// Pure helpers of the phone field (issue 19), shared by the forms and their tests. "min" metadata:
// enough to format as you type and to find the country of a +number, at a fraction of "max"
// (the server, lib/sms/phone.ts, has the last word with the full rules).
import { AsYouType, getCountries, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";

export type { CountryCode };

/** The visitor's country from the browser's languages ("en-GB" -> GB), else the US. */
export function countryFromLanguages(languages: readonly string[]): CountryCode {
  const known = new Set<string>(getCountries());
  for (const language of languages) {
    const region = language.split("-").find((part, index) => index > 0 && /^[A-Za-z]{2}$/.test(part))?.toUpperCase();
    if (region && known.has(region)) return region as CountryCode;
  }
  return "US";
}

/**
 * What the form sends: E.164 when the typed number parses in the chosen
 * country (or has its own +country code, or the international 00 prefix),
 * else the text as typed, so the server's message says what is wrong with it.
 */
export function phoneToSubmit(text: string, country: CountryCode): string {
  const trimmed = text.trim();
  const international = trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : trimmed;
  // extract: false: "12ab" is not a number with junk around it, it is junk.
  return parsePhoneNumberFromString(international, { defaultCountry: country, extract: false })?.number ?? trimmed;
}

/** "+447400123456" -> "+44 7400 123456" for "we sent a code to …"; anything unparsed as it is. */
export function formatPhoneForDisplay(value: string): string {
  return parsePhoneNumberFromString(value)?.formatInternational() ?? value;
}

/**
 * The field's text after a keystroke, formatted as you type, and the country a
 * typed +country code names (null: keep the chosen one). Deleting is left
 * alone: reformatting while deleting fights the caret.
 */
export function formatAsTyped(next: string, previous: string, country: CountryCode): { text: string; country: CountryCode | null } {
  const trimmed = next.trim();
  const normalized = trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : next;
  const formatter = new AsYouType(normalized.trim().startsWith("+") ? undefined : country);
  const formatted = formatter.input(normalized);
  const detected = formatter.getCountry() ?? null;
  return { text: next.length >= previous.length ? formatted : next, country: detected && detected !== country ? detected : null };
}
