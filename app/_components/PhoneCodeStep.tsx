"use client";

import { useId, useRef, useState, type FormEvent } from "react";
import { errorCode, navigate, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { CodeField } from "./CodeField";
import { isCompleteCode } from "./code-input";
import type { CodePhase } from "./EmailCodeStep";
import { SecondFactorStep, secondFactorChallenge, type SecondFactorChallenge, type SecondFactorMethods } from "./SecondFactorStep";
import { useCountdown } from "./useCountdown";

type VerifyResponse = { status: string; redirectUrl?: string; attemptId?: string; methods?: SecondFactorMethods };
type SendResponse = { status: string; attemptId: string; resendAfter: number };

const PHASE_MESSAGE: Record<Exclude<CodePhase, "sent">, string> = {
  verifying: "Verifying your code…",
  verified: "Verified! Signing you in…",
  expired: "This code has expired. Send a new one to continue.",
  used: "This code has already been used. Start over to get a new one.",
  failed: "Too many incorrect codes. Send a new code to try again.",
};

/**
 * The "check your phone" step of sign-in and sign-up by phone number
 * (issue 19), the SMS twin of EmailCodeStep: the number with an edit button,
 * the 6-digit code field (input-otp; SMS autofill through autocomplete
 * "one-time-code" and the origin-bound last line of the text), submitting by
 * itself at six digits, and a resend button with its countdown. An account
 * with two-step verification continues with its second factor.
 */
export function PhoneCodeStep({
  phone,
  attemptId,
  resendAfter,
  onStartOver,
}: {
  /** As shown to the user (formatted). */
  phone: string;
  attemptId: string;
  resendAfter: number;
  onStartOver: () => void;
}) {
  const [code, setCode] = useState("");
  const [phase, setPhase] = useState<CodePhase>("sent");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resendIn, setResendIn] = useCountdown(resendAfter);
  const [resending, setResending] = useState(false);
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  // Set synchronously: the auto-submit at six digits, Enter and a click can all come before a re-render.
  const verifying = useRef(false);
  const sentToId = useId();
  const hintId = useId();
  const finished = phase === "verified";

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void verify(code);
  }

  async function verify(value: string) {
    if (verifying.current || finished) return;
    if (!isCompleteCode(value)) {
      setFieldError("Enter the 6-digit code from the text message.");
      inputRef.current?.focus();
      return;
    }
    verifying.current = true;
    setPhase("verifying");
    setFieldError(null);
    setFormError(null);
    setNotice(null);
    const result = await postJson<VerifyResponse>("/api/auth/phone/verify-code", { attemptId, code: value }, { fields: ["code"] });
    verifying.current = false;
    if (result.ok) {
      if (result.data.status === "complete") {
        setPhase("verified");
        navigate(result.data.redirectUrl || "/");
        return;
      }
      setPhase("sent");
      const next = secondFactorChallenge(result.data);
      if (next) setChallenge(next);
      else setFormError("Sign-in could not be completed. Please try again.");
      return;
    }
    const failure = errorCode(result);
    if (failure === "verification_expired") setPhase("expired");
    else if (failure === "verification_used") setPhase("used");
    else if (failure === "verification_voided") setPhase("failed");
    else {
      setPhase("sent");
      setFieldError(result.fieldErrors.code ?? null);
      setFormError(result.fieldErrors.code ? null : result.formError);
      // A wrong code is cleared for retyping; after a network error or a rate limit it stays.
      if (result.fieldErrors.code) setCode("");
      inputRef.current?.focus();
    }
  }

  async function resend() {
    if (resending || resendIn > 0) return;
    setResending(true);
    setFormError(null);
    const result = await postJson<SendResponse>("/api/auth/phone/send", { attemptId });
    setResending(false);
    if (result.ok) {
      setResendIn(result.data.resendAfter);
      setPhase("sent");
      setCode("");
      setFieldError(null);
      setNotice(`We sent a new code to ${phone}.`);
      inputRef.current?.focus();
      return;
    }
    if (result.status === 429) setResendIn(30);
    setFormError(result.formError);
  }

  if (challenge) return <SecondFactorStep {...challenge} />;

  const statusText = phase === "sent" ? notice : (notice ?? PHASE_MESSAGE[phase]);
  const canEnterCode = phase === "sent" || phase === "verifying";

  return (
    <div className="grid gap-4">
      <div className="text-center text-sm text-muted-foreground">
        <h2 className="text-base font-semibold text-foreground">Check your phone</h2>
        <div className="mt-1">
          <p id={sentToId} className="inline">
            We sent a 6-digit code by text message to <span className="font-medium break-words text-foreground">{phone}</span>
          </p>{" "}
          <button
            type="button"
            onClick={onStartOver}
            className="rounded-sm font-medium text-brand underline-offset-4 hover:underline focus-visible:underline"
          >
            Edit<span className="sr-only"> phone number</span>
          </button>
        </div>
        <p id={hintId} className="mt-1">
          Enter the code below. It works for 10 minutes.
        </p>
      </div>

      <form method="post" noValidate onSubmit={onSubmit} aria-busy={phase === "verifying" || undefined} className="grid gap-1">
        <CodeField
          ref={inputRef}
          autoFocus
          disabled={!canEnterCode}
          readOnly={phase === "verifying"}
          value={code}
          onChange={(value) => {
            setCode(value);
            setFieldError(null);
          }}
          onComplete={verify}
          error={fieldError}
          describedBy={`${sentToId} ${hintId}`}
        />
        <p role="status" aria-live="polite" className="min-h-5 text-sm text-muted-foreground" data-phase={phase}>
          {statusText}
        </p>
        <FormAlert id="code-error" message={formError} />
        <Button type="submit" variant="primary" fullWidth loading={phase === "verifying" || finished} disabled={!canEnterCode && !finished}>
          Verify code
        </Button>
      </form>

      <div className="flex justify-center text-sm">
        <Button type="button" variant="ghost" onClick={resend} loading={resending} disabled={resendIn > 0 || finished} className="h-8 px-2">
          {resendIn > 0 ? `Resend code in ${resendIn} s` : "Resend code"}
        </Button>
      </div>
    </div>
  );
}
