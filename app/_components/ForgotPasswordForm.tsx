"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { errorCode, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { NewPasswordForm } from "./NewPasswordForm";
import { EmailField } from "./EmailField";
import { formatPhoneForDisplay, PhoneField } from "./PhoneField";
import { IdentifierSwitch } from "./IdentifierSwitch";
import { CodeField } from "./CodeField";
import { isCompleteCode } from "./code-input";
import { useCountdown } from "./useCountdown";
import { BotCheckStatus } from "./bot-check/HoneypotField";
import { useBotCheck, type BotCheckConfig } from "./bot-check/useBotCheck";

const BOT_CHECK_OFF: BotCheckConfig = { enabled: false };

type SentResponse = { status: "sent"; resetId: string; resendAfter: number };
type VerifiedResponse = { status: "verified"; token: string };

/**
 * Forgot password (S3, S4): email -> code (or the link in the email, which
 * opens /reset-password) -> new password. The first step answers the same
 * for every address (no enumeration).
 */
/** `initialEmail`: the address typed on the sign-in page before "Forgot password?" (no retyping). */
export function ForgotPasswordForm({
  minScore,
  minLength,
  initialEmail = "",
  botCheck = BOT_CHECK_OFF,
  phone: phoneOn = false,
  initialChannel = "email",
}: {
  minScore?: number;
  minLength?: number;
  initialEmail?: string;
  /** S10: loaded only when the server asks for a check (sends near their limits). */
  botCheck?: BotCheckConfig;
  /** Issue 19: reset by a code texted to a verified phone number is offered ("Use phone"). */
  phone?: boolean;
  initialChannel?: "email" | "phone";
}) {
  const check = useBotCheck(botCheck);
  const [email, setEmail] = useState(initialEmail);
  const [channel, setChannel] = useState<"email" | "phone">(phoneOn ? initialChannel : "email");
  const [phone, setPhone] = useState("");
  const phoneRef = useRef<HTMLInputElement>(null);
  const byPhone = channel === "phone";
  // What the code went to, as the user typed it (the phone field shows it formatted).
  const sentTo = byPhone ? formatPhoneForDisplay(phone) : email.trim();
  const [step, setStep] = useState<"email" | "code" | "password">("email");
  const [resetId, setResetId] = useState("");
  const [token, setToken] = useState("");
  const [code, setCode] = useState("");
  const [fieldErrors, setFieldErrors] = useState<{ email?: string; phone?: string; code?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [resendIn, setResendIn] = useCountdown(0);
  const emailRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  // Set synchronously: the auto-submit at six digits, Enter and a click may all come before a re-render.
  const verifying = useRef(false);
  const sentToId = useId();
  // Focus moves to the code field once it is on screen: after the render that shows it, not a frame
  // that may come before React commits it (a busy machine showed the difference).
  const focusCodeOnRender = useRef(false);
  useEffect(() => {
    if (!focusCodeOnRender.current || !codeRef.current) return;
    focusCodeOnRender.current = false;
    codeRef.current.focus();
  });


  async function send(event?: FormEvent<HTMLFormElement>) {
    event?.preventDefault();
    if (busy) return;
    if (byPhone && phone.replace(/\D/g, "").length < 4) {
      setFieldErrors({ phone: "Enter your phone number." });
      phoneRef.current?.focus();
      return;
    }
    if (!byPhone && !/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      setFieldErrors({ email: email.trim() ? "Enter a valid email address." : "Enter your email address." });
      emailRef.current?.focus();
      return;
    }
    setBusy(true);
    setFormError(null);
    setFieldErrors({});
    const result = await check.post<SentResponse>(
      "/api/auth/password-reset/send",
      byPhone ? { phone } : { email: email.trim() },
      { fields: [byPhone ? "phone" : "email"] },
    );
    setBusy(false);
    if (!result.ok) {
      const fieldError = result.fieldErrors[byPhone ? "phone" : "email"];
      setFieldErrors({ [byPhone ? "phone" : "email"]: fieldError });
      setFormError(fieldError ? null : result.formError);
      if (result.status === 429) setResendIn(30);
      return;
    }
    setResetId(result.data.resetId);
    setResendIn(result.data.resendAfter);
    setCode("");
    setStatus(step === "code" ? `We sent a new code to ${sentTo}.` : null);
    setStep("code");
    focusCodeOnRender.current = true;
  }

  function onSubmitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void verify(code);
  }

  async function verify(value: string) {
    if (busy || verifying.current) return;
    if (!isCompleteCode(value)) {
      setFieldErrors({ code: `Enter the 6-digit code from the ${byPhone ? "text message" : "email"}.` });
      codeRef.current?.focus();
      return;
    }
    verifying.current = true;
    setBusy(true);
    setFormError(null);
    setFieldErrors({});
    setStatus("Verifying your code…");
    const result = await postJson<VerifiedResponse>(
      "/api/auth/password-reset/verify",
      { resetId, code: value },
      { fields: ["code"] },
    );
    verifying.current = false;
    setBusy(false);
    if (result.ok) {
      setStatus("Verified. Choose a new password.");
      setToken(result.data.token);
      setStep("password");
      return;
    }
    setStatus(null);
    const failure = errorCode(result);
    if (failure === "verification_expired") setFormError("This code has expired. Send a new one.");
    else if (failure === "verification_voided") setFormError("Too many incorrect codes. Send a new one.");
    else if (failure === "verification_used") setFormError("This code has already been used. Send a new one.");
    else {
      setFieldErrors({ code: result.fieldErrors.code });
      setFormError(result.fieldErrors.code ? null : result.formError);
      // A wrong code is cleared for retyping; after a network error or a rate limit it stays.
      if (result.fieldErrors.code) setCode("");
      codeRef.current?.focus();
    }
  }

  if (step === "password") {
    return (
      <div className="grid gap-3">
        <p role="status" className="text-center text-sm text-muted-foreground">
          {status}
        </p>
        <NewPasswordForm token={token} email={byPhone ? phone : email.trim()} minScore={minScore} minLength={minLength} onSecondFactor={() => setStatus(null)} />
      </div>
    );
  }

  if (step === "code") {
    return (
      <div className="grid gap-4">
        {byPhone ? (
          <p id={sentToId} className="text-center text-sm text-muted-foreground">
            If an account has the number <span className="font-medium text-foreground">{sentTo}</span>, we texted it a 6-digit code.
            Enter the code below.
          </p>
        ) : (
          <p id={sentToId} className="text-center text-sm text-muted-foreground">
            If an account exists for <span className="font-medium text-foreground">{email.trim()}</span>, we sent it a
            6-digit code and a link. Enter the code below, or open the link.
          </p>
        )}
        <form method="post" noValidate onSubmit={onSubmitCode} aria-busy={busy || undefined} className="grid gap-1">
          <CodeField
            ref={codeRef}
            readOnly={busy}
            value={code}
            onChange={(value) => {
              setCode(value);
              setFieldErrors({});
            }}
            onComplete={verify}
            error={fieldErrors.code}
            describedBy={sentToId}
          />
          <p role="status" aria-live="polite" className="min-h-5 text-sm text-muted-foreground">
            {status}
          </p>
          {check.element}
          <FormAlert id="forgot-error" message={formError} />
          <Button type="submit" variant="primary" fullWidth loading={busy}>
            Verify code
          </Button>
        </form>
        <div className="flex items-center justify-between gap-3 text-sm">
          <button
            type="button"
            onClick={() => {
              setStep("email");
              setFormError(null);
              setStatus(null);
              requestAnimationFrame(() => (byPhone ? phoneRef : emailRef).current?.focus());
            }}
            className="rounded-sm font-medium text-muted-foreground underline-offset-4 hover:text-foreground hover:underline"
          >
            {byPhone ? "Use a different number" : "Use a different email"}
          </button>
          <Button
            type="button"
            variant="ghost"
            className="h-8 px-2"
            disabled={resendIn > 0 || busy}
            onClick={() => send()}
          >
            {resendIn > 0 ? `Resend code in ${resendIn} s` : "Resend code"}
          </Button>
        </div>
      </div>
    );
  }

  return (
    <div className="grid gap-3">
      <form method="post" noValidate onSubmit={send} aria-busy={busy || undefined} className="grid gap-1">
        {byPhone ? (
          <PhoneField
            ref={phoneRef}
            autoFocus
            value={phone}
            onChange={(value) => {
              setPhone(value);
              setFieldErrors({});
            }}
            error={fieldErrors.phone}
          />
        ) : (
          <EmailField
            ref={emailRef}
            autoFocus
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
              setFieldErrors({});
            }}
            error={fieldErrors.email}
          />
        )}
        {check.element}
        <FormAlert id="forgot-error" message={formError} />
        <Button type="submit" variant="primary" fullWidth loading={busy} className="mt-1">
          Send reset code
        </Button>
        <BotCheckStatus waiting={busy && check.waiting} error={check.error} />
      </form>
      {phoneOn ? (
        <IdentifierSwitch
          to={byPhone ? "email" : "phone"}
          disabled={busy}
          onClick={() => {
            setChannel(byPhone ? "email" : "phone");
            setFieldErrors({});
            setFormError(null);
          }}
        />
      ) : null}
    </div>
  );
}
