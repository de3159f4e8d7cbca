"use client";

import { useRef, useState, type FormEvent } from "react";
import { errorCode, navigate, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { PasswordField } from "./PasswordField";
import { SecondFactorStep, secondFactorChallenge, type SecondFactorChallenge, type SecondFactorMethods } from "./SecondFactorStep";
import { SignOutOthersCheckbox } from "./SignOutOthersCheckbox";

type CompleteResponse = {
  status: "complete" | "needs_second_factor";
  redirectUrl?: string;
  attemptId?: string;
  methods?: SecondFactorMethods;
};

/**
 * Last step of a password reset (S3): the new password goes through the
 * policy (live meter here, authoritative check on the server), the user may
 * sign out every other device, and is then signed in (after the second
 * factor, for an account with two-step verification).
 */
export function NewPasswordForm({
  token,
  email,
  minScore,
  minLength,
  onSecondFactor,
}: {
  token: string;
  email?: string;
  minScore?: number;
  /** The instance's minimum password length (S3, S8). */
  minLength?: number;
  /** Called when the password is changed and the second-factor step takes over this form's place. */
  onSecondFactor?: () => void;
}) {
  const [password, setPassword] = useState("");
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [done, setDone] = useState(false);
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);
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
      const next = secondFactorChallenge(result.data);
      if (next) {
        setChallenge(next);
        onSecondFactor?.();
      } else {
        setFormError("Your password was changed, but signing in could not be completed. Sign in with your new password.");
      }
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

  if (challenge) return <SecondFactorStep {...challenge} notice="Your password has been changed. One more step to sign in." />;

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
        minLength={minLength}
        error={fieldError}
      />
      <SignOutOthersCheckbox checked={signOutOthers} onChange={setSignOutOthers} />
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
