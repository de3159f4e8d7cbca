import { TextField, type TextFieldProps } from "./TextField";

/**
 * The "Email address" input every auth form uses: email keyboard, no
 * autocapitalise or autocorrect, and `username` autocomplete so password
 * managers pair it with the password field (sign-up passes "email").
 */
export function EmailField(props: Omit<TextFieldProps, "id" | "label" | "type"> & { id?: string }) {
  return (
    <TextField
      id="email"
      name="email"
      type="email"
      label="Email address"
      autoComplete="username"
      inputMode="email"
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      required
      {...props}
    />
  );
}
