"use client";

import { useState } from "react";
import { TextField, type TextFieldProps } from "./TextField";

export type PasswordInputProps = Omit<TextFieldProps, "type" | "trailing">;

/**
 * A password TextField with a show/hide toggle. The toggle's accessible name
 * ("Show password" / "Hide password") comes from visually hidden text, not an
 * aria-label, so label-based lookups for "Password" find only the input.
 */
export function PasswordInput({ id, ...props }: PasswordInputProps) {
  const [visible, setVisible] = useState(false);
  return (
    <TextField
      {...props}
      id={id}
      type={visible ? "text" : "password"}
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      trailing={
        <button
          type="button"
          aria-controls={id}
          onClick={() => setVisible((value) => !value)}
          className="absolute inset-y-0 right-0 my-auto mr-1 inline-flex size-8 items-center justify-center rounded-md text-muted-foreground transition-colors hover:bg-muted hover:text-foreground focus-visible:outline-offset-0"
        >
          <span className="sr-only">{visible ? "Hide password" : "Show password"}</span>
          {visible ? <EyeOffIcon /> : <EyeIcon />}
        </button>
      }
    />
  );
}

function EyeIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" className="size-[1.125rem]">
      <path d="M2.1 12.3a1 1 0 0 1 0-.6C3.6 7.8 7.5 5 12 5s8.4 2.8 9.9 6.7a1 1 0 0 1 0 .6C20.4 16.2 16.5 19 12 19s-8.4-2.8-9.9-6.7Z" />
      <circle cx="12" cy="12" r="3" />
    </svg>
  );
}

function EyeOffIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" className="size-[1.125rem]">
      <path d="M10.7 5.1A10 10 0 0 1 12 5c4.5 0 8.4 2.8 9.9 6.7a1 1 0 0 1 0 .6 10.8 10.8 0 0 1-1.8 3" />
      <path d="M14.1 14.2a3 3 0 0 1-4.3-4.3" />
      <path d="M17.5 17.5A10.4 10.4 0 0 1 12 19c-4.5 0-8.4-2.8-9.9-6.7a1 1 0 0 1 0-.6 10.7 10.7 0 0 1 4.4-5.2" />
      <path d="m2 2 20 20" />
    </svg>
  );
}
