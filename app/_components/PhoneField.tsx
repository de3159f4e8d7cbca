"use client";

// "min" metadata: enough to format as you type and to find the country of a +number, at a
// fraction of "max" (the server, lib/sms/phone.ts, has the last word with the full rules).
import { AsYouType, getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/min";
import { useEffect, useMemo, useState, type Ref } from "react";
import { FieldError, fieldErrorId, inputClassName } from "./TextField";

export type PhoneFieldProps = {
  id?: string;
  label?: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  autoFocus?: boolean;
  disabled?: boolean;
  ref?: Ref<HTMLInputElement>;
};

/** The visitor's country from the browser's language ("en-GB" -> GB), else the US. */
function guessCountry(): CountryCode {
  if (typeof navigator === "undefined") return "US";
  for (const language of navigator.languages ?? [navigator.language]) {
    const region = language.split("-")[1]?.toUpperCase();
    if (region && (getCountries() as string[]).includes(region)) return region as CountryCode;
  }
  return "US";
}

/**
 * What the form sends: E.164 when the typed number parses in the chosen
 * country (or has its own +country code), else the text as typed, so the
 * server's message says what is wrong with it.
 */
export function phoneToSubmit(text: string, country: CountryCode): string {
  const trimmed = text.trim();
  const international = trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : trimmed;
  return parsePhoneNumberFromString(international, country)?.number ?? trimmed;
}

/** "+447400123456" -> "+44 7400 123456" for "we sent a code to …"; anything unparsed as it is. */
export function formatPhoneForDisplay(value: string): string {
  return parsePhoneNumberFromString(value)?.formatInternational() ?? value;
}

/**
 * The phone number input (issue 19): a country list (native select: keyboard
 * and screen readers for free) and a `tel` field formatted as you type with
 * libphonenumber-js's AsYouType. Typing a +country code picks the country.
 * `onChange` gets the number to submit (E.164 when it parses).
 */
export function PhoneField({ id = "phone", label = "Phone number", value, onChange, error, autoFocus, disabled, ref }: PhoneFieldProps) {
  const [country, setCountry] = useState<CountryCode>("US");
  const [text, setText] = useState(value);
  const errorId = fieldErrorId(id);
  const countryId = `${id}-country`;
  const countries = useMemo(() => {
    const names = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(undefined, { type: "region" }) : null;
    return getCountries()
      .map((code) => ({ code, name: names?.of(code) ?? code, callingCode: getCountryCallingCode(code) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, []);

  // The server renders "US"; the browser's own country is picked after hydration, while nothing is typed.
  useEffect(() => {
    const guessed = guessCountry();
    setCountry((current) => (text === "" && current !== guessed ? guessed : current));
  }, []);

  function update(nextText: string, nextCountry: CountryCode) {
    const trimmed = nextText.trim();
    const normalized = trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : nextText;
    const formatter = new AsYouType(normalized.trim().startsWith("+") ? undefined : nextCountry);
    const formatted = formatter.input(normalized);
    // A +country code typed picks the country in the list.
    const detected = formatter.getCountry();
    if (detected && detected !== nextCountry) {
      nextCountry = detected;
      setCountry(detected);
    }
    // Formatting while deleting fights the caret: only format as the text grows.
    const shown = nextText.length >= text.length ? formatted : nextText;
    setText(shown);
    onChange(phoneToSubmit(shown, nextCountry));
  }

  return (
    <div className="pb-3">
      <label htmlFor={id} className="text-sm font-medium text-foreground">
        {label}
      </label>
      <div className="mt-1.5 flex gap-2">
        <label htmlFor={countryId} className="sr-only">
          Country
        </label>
        <select
          id={countryId}
          value={country}
          disabled={disabled}
          onChange={(event) => {
            const next = event.target.value as CountryCode;
            setCountry(next);
            update(text, next);
          }}
          className={`${inputClassName} w-28 shrink-0 px-2`}
        >
          {countries.map((entry) => (
            <option key={entry.code} value={entry.code}>
              {`${entry.name} +${entry.callingCode}`}
            </option>
          ))}
        </select>
        <input
          ref={ref}
          id={id}
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          required
          autoFocus={autoFocus}
          disabled={disabled}
          value={text}
          onChange={(event) => update(event.target.value, country)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          className={inputClassName}
        />
      </div>
      <FieldError id={errorId} error={error} className={error ? "mt-1.5" : ""} />
    </div>
  );
}
