"use client";

import { useRef, useState, type FormEvent } from "react";
import { navigate, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { PasswordInput } from "./PasswordInput";
import { TextField } from "./TextField";

type Field = "email" | "password";
const FIELDS: readonly Field[] = ["email", "password"];

type SignInResponse = { status: string; redirectUrl?: string };

function validate(email: string, password: string): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  if (!email.trim()) errors.email = "Enter your email address.";
  else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) errors.email = "Enter a valid email address.";
  if (!password) errors.password = "Enter your password.";
  return errors;
}

export function SignInForm({ redirectUrl }: { redirectUrl?: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  function focusFirstInvalid(errors: Partial<Record<Field, string>>) {
    if (errors.email) emailRef.current?.focus();
    else if (errors.password) passwordRef.current?.focus();
  }

  function clearFieldError(field: Field) {
    setFieldErrors((current) => (current[field] ? { ...current, [field]: undefined } : current));
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    const local = validate(email, password);
    if (Object.keys(local).length > 0) {
      setFieldErrors(local);
      setFormError(null);
      focusFirstInvalid(local);
      return;
    }

    setSubmitting(true);
    setFormError(null);
    setFieldErrors({});
    const result = await postJson<SignInResponse>(
      "/api/auth/sign-in",
      { email: email.trim(), password, ...(redirectUrl ? { redirectUrl } : {}) },
      { fields: FIELDS },
    );

    if (result.ok) {
      if (result.data.status === "complete") {
        // Keep the button busy: the page is about to be replaced.
        navigate(result.data.redirectUrl || "/");
        return;
      }
      setSubmitting(false);
      setFormError(
        result.data.status === "needs_second_factor"
          ? "This account uses two-step verification, which this page does not support yet. Contact your administrator."
          : "Sign-in could not be completed. Please try again.",
      );
      return;
    }

    setSubmitting(false);
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
    focusFirstInvalid(result.fieldErrors);
  }

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-busy={submitting || undefined} className="grid gap-1">
      <TextField
        ref={emailRef}
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
        value={email}
        onChange={(event) => {
          setEmail(event.target.value);
          clearFieldError("email");
        }}
        error={fieldErrors.email}
      />
      <PasswordInput
        ref={passwordRef}
        id="password"
        name="password"
        label="Password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(event) => {
          setPassword(event.target.value);
          clearFieldError("password");
        }}
        error={fieldErrors.password}
      />
      <FormAlert id="sign-in-error" message={formError} />
      <Button type="submit" variant="primary" fullWidth loading={submitting} className="mt-3">
        Sign in
      </Button>
    </form>
  );
}
