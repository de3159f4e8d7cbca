"use client";

import { getCountries, getCountryCallingCode } from "libphonenumber-js/min";
import { useEffect, useMemo, useState, type Ref } from "react";
import { countryFromLanguages, formatAsTyped, phoneToSubmit, type CountryCode } from "./phone-input";
import { FieldError, fieldErrorId, inputClassName } from "./TextField";

export { formatPhoneForDisplay, phoneToSubmit } from "./phone-input";

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
    const names = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;
    return getCountries()
      .map((code) => ({ code, name: names?.of(code) ?? code, callingCode: getCountryCallingCode(code) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, []);

  // The server renders "US"; the browser's own country is picked after hydration, while nothing is typed.
  useEffect(() => {
    const guessed = countryFromLanguages(navigator.languages?.length ? navigator.languages : [navigator.language]);
    setCountry((current) => (text === "" && current !== guessed ? guessed : current));
    // Once, after hydration: later the user's own choice stands.
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  function update(nextText: string, nextCountry: CountryCode) {
    const typed = formatAsTyped(nextText, text, nextCountry);
    const country = typed.country ?? nextCountry;
    if (typed.country) setCountry(typed.country);
    setText(typed.text);
    onChange(phoneToSubmit(typed.text, country));
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
