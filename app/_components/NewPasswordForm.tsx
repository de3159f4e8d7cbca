"use client";

import { useRef, useState, type FormEvent } from "react";
import { errorCode, navigate, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { PasswordField } from "./PasswordField";

type CompleteResponse = { status: "complete" | "needs_second_factor"; redirectUrl?: string };

/**
 * Last step of a password reset (S3): the new password goes through the
 * policy (live meter here, authoritative check on the server), the user may
 * sign out every other device, and is then signed in.
 */
export function NewPasswordForm({ token, email, minScore }: { token: string; email?: string; minScore?: number }) {
  const [password, setPassword] = useState("");
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [done, setDone] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!password) {
      setFieldError("Enter a new password.");
      passwordRef.current?.focus();
      return;
    }
    setSubmitting(true);
    setFieldError(null);
    setFormError(null);
    const result = await postJson<CompleteResponse>(
      "/api/auth/password-reset/complete",
      { token, password, signOutOtherDevices: signOutOthers },
      { fields: ["password"] },
    );
    if (result.ok) {
      if (result.data.status === "complete") {
        setDone(true);
        navigate(result.data.redirectUrl || "/");
        return;
      }
      setSubmitting(false);
      setFormError(
        "Your password was changed. This account uses two-step verification, which this page does not support yet: sign in again.",
      );
      return;
    }
    setSubmitting(false);
    const failure = errorCode(result);
    if (failure === "verification_expired" || failure === "verification_used") {
      setFormError(
        failure === "verification_used"
          ? "This reset link has already been used. Request a new one."
          : "This reset link has expired. Request a new one.",
      );
      return;
    }
    setFieldError(result.fieldErrors.password ?? null);
    setFormError(result.fieldErrors.password ? null : result.formError);
    passwordRef.current?.focus();
  }

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-busy={submitting || undefined} className="grid gap-1">
      {email ? <input type="hidden" name="username" autoComplete="username" value={email} readOnly /> : null}
      <PasswordField
        ref={passwordRef}
        id="new-password"
        name="password"
        label="New password"
        autoComplete="new-password"
        autoFocus
        required
        value={password}
        onValueChange={(value) => {
          setPassword(value);
          setFieldError(null);
        }}
        userInputs={[email]}
        minScore={minScore}
        error={fieldError}
      />
      <label className="mt-1 flex items-center gap-2 text-sm text-foreground">
        <input
          type="checkbox"
          checked={signOutOthers}
          onChange={(event) => setSignOutOthers(event.target.checked)}
          className="size-4 rounded border-input accent-brand"
        />
        Sign out of all other devices
      </label>
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-muted-foreground">
        {done ? "Password changed. Signing you in…" : null}
      </p>
      <FormAlert id="reset-error" message={formError} />
      <Button type="submit" variant="primary" fullWidth loading={submitting} className="mt-1">
        Reset password
      </Button>
    </form>
  );
}
