import { TextField, type TextFieldProps } from "./TextField";

/**
 * The 6-digit "Verification code" input (S4): numeric keyboard, one-time-code
 * autofill from the SMS/mail suggestion bar, spaced monospace digits.
 */
export function CodeField(props: Omit<TextFieldProps, "id" | "label" | "type"> & { id?: string }) {
  return (
    <TextField
      id="code"
      name="code"
      label="Verification code"
      autoComplete="one-time-code"
      inputMode="numeric"
      pattern="[0-9]*"
      maxLength={6}
      className="[&_input]:text-center [&_input]:font-mono [&_input]:text-lg [&_input]:tracking-[0.5em]"
      {...props}
    />
  );
}
