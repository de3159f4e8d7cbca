"use client";

import { useRef, useState, type FormEvent } from "react";
import { postJson } from "../api";
import { FormAlert } from "../Alert";
import { Button } from "../Button";
import { PasswordField } from "../PasswordField";
import { toast } from "../ui/sonner";
import { Section } from "./Section";
import { useStepUp } from "./step-up";
import { SignOutOthersCheckbox } from "../SignOutOthersCheckbox";

/**
 * Change (or set) the password (S3). No "current password" field: the one
 * step-up prompt asks who you are when the last verification is over 10
 * minutes old, as for every other sensitive change.
 */
export function PasswordSection({
  hasPassword,
  account,
  minScore,
  minLength,
}: {
  hasPassword: boolean;
  account: string;
  minScore?: number;
  minLength?: number;
}) {
  const stepUp = useStepUp();
  const [hadPassword, setHadPassword] = useState(hasPassword);
  const [password, setPassword] = useState("");
  const [signOutOthers, setSignOutOthers] = useState(true);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
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
    const result = await stepUp(() =>
      postJson<{ signedOutSessions: number }>(
        "/api/account/password",
        { newPassword: password, signOutOtherDevices: signOutOthers },
        { fields: ["newPassword"] },
      ),
    );
    setSubmitting(false);
    // Cancelled in the prompt: nothing changed, the form stays as it was.
    if (!result) return;
    if (result.ok) {
      const others = result.data.signedOutSessions;
      toast.success(hadPassword ? "Password changed" : "Password set", {
        description: others > 0 ? `Signed out of ${others} other ${others === 1 ? "device" : "devices"}.` : undefined,
      });
      setHadPassword(true);
      setPassword("");
      return;
    }
    setFieldError(result.fieldErrors.newPassword ?? null);
    setFormError(result.fieldErrors.newPassword ? null : result.formError);
    passwordRef.current?.focus();
  }

  const title = hadPassword ? "Change password" : "Set a password";
  return (
    <Section
      id="password"
      title={title}
      description={
        hadPassword
          ? "Use a long password you don’t use anywhere else."
          : "You sign in with emailed codes. A password lets you sign in without waiting for an email."
      }
    >
      <form method="post" noValidate onSubmit={onSubmit} aria-busy={submitting || undefined} className="grid gap-1 px-5 py-4 sm:max-w-md sm:px-6">
        {/* Lets password managers file the new password under the right account. */}
        <input type="hidden" name="username" autoComplete="username" value={account} readOnly />
        <PasswordField
          ref={passwordRef}
          id="account-new-password"
          name="newPassword"
          label="New password"
          autoComplete="new-password"
          required
          value={password}
          onValueChange={(value) => {
            setPassword(value);
            setFieldError(null);
          }}
          userInputs={[account]}
          minScore={minScore}
          minLength={minLength}
          error={fieldError}
        />
        <SignOutOthersCheckbox checked={signOutOthers} onChange={setSignOutOthers} />
        <FormAlert message={formError} />
        <div className="mt-3">
          <Button type="submit" variant="primary" loading={submitting}>
            {title}
          </Button>
        </div>
      </form>
    </Section>
  );
}
