"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { errorCode, navigate, postJson, type ApiFailure } from "./api";
import { FormAlert } from "./Alert";
import { looksLikeBackupCode, normalizeBackupCode } from "./backup-code";
import { Button } from "./Button";
import { CodeField } from "./CodeField";
import { isCompleteCode } from "./code-input";
import { TextField } from "./TextField";
import { type SecondFactorChallenge, type SecondFactorMethods } from "./second-factor-challenge";
import { useCountdown } from "./useCountdown";

export { secondFactorChallenge, type SecondFactorChallenge, type SecondFactorMethods } from "./second-factor-challenge";

type Method = "totp" | "backup_code" | "sms" | "security_key";
type AuthenticationOptions = Parameters<typeof import("@simplewebauthn/browser").startAuthentication>[0]["optionsJSON"];
type VerifyResponse = { status: "complete"; redirectUrl?: string };
type SmsSentResponse = { status: "sent"; phoneHint: string; resendAfter: number };

const HINTS: Record<Method, string> = {
  totp: "Enter the 6-digit code from your authenticator app.",
  backup_code: "Enter one of the backup codes you saved when you turned on two-step verification.",
  sms: "We will text a 6-digit code to your phone.",
  security_key: "Insert your security key and touch it, or use your device’s screen lock when your browser asks.",
};

const SWITCH_LABELS: Record<Method, string> = {
  totp: "Use your authenticator app",
  backup_code: "Use a backup code instead",
  sms: "Text me a code",
  security_key: "Use your security key",
};

/** Errors after which this sign-in cannot go on: the person starts over. */
const DEAD_ENDS: Record<string, string> = {
  verification_voided: "Too many incorrect codes. For your security, sign in again to get a fresh start.",
  verification_expired: "This sign-in has expired: the second step must follow within 10 minutes. Sign in again.",
  not_found: "This sign-in can no longer be completed here. Sign in again.",
};

function availableMethods(methods: SecondFactorMethods): Method[] {
  const key = methods.securityKey ? "security_key" : null;
  const first = methods.preferred === "security_key" ? key : null;
  return [first, methods.totp ? "totp" : null, methods.sms ? "sms" : null, first ? null : key, methods.backupCode ? "backup_code" : null].filter(
    (method): method is Method => method !== null,
  );
}

/**
 * The second step of signing in (S6): an authenticator code by default (six
 * slots, paste clean-up, submits itself), a backup code, or a code by text
 * message; only the methods this account has. Kept small and free of dialogs
 * and toasts: it ships with the sign-in page.
 */
export function SecondFactorStep({ attemptId, methods, redirectUrl, notice }: SecondFactorChallenge & { notice?: string }) {
  const choices = availableMethods(methods);
  const [method, setMethod] = useState<Method>(choices[0] ?? "backup_code");
  const [code, setCode] = useState("");
  const [backupCode, setBackupCode] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState<"verify" | "send" | "key" | null>(null);
  const [done, setDone] = useState(false);
  const [deadEnd, setDeadEnd] = useState<string | null>(null);
  const [smsSentTo, setSmsSentTo] = useState<string | null>(null);
  const [resendIn, setResendIn] = useCountdown(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const sendButtonRef = useRef<HTMLDivElement>(null);
  const restartRef = useRef<HTMLAnchorElement>(null);
  // Set synchronously: the auto-submit at six digits, Enter and a click can all come before a re-render.
  const verifying = useRef(false);
  const focusInput = useRef(false);
  const hintId = useId();
  const noticeId = useId();
  // The code field has focus on arrival: its description says what happened and what to enter.
  const describedBy = notice ? `${noticeId} ${hintId}` : hintId;


  // After switching methods or sending a text, focus moves to what replaced the control just used:
  // the new input, or "Text me a code" while there is no code to type yet.
  useEffect(() => {
    if (!focusInput.current) return;
    focusInput.current = false;
    (inputRef.current ?? sendButtonRef.current?.querySelector("button"))?.focus();
  });

  useEffect(() => {
    if (deadEnd) restartRef.current?.focus();
  }, [deadEnd]);

  function switchTo(next: Method) {
    setMethod(next);
    setCode("");
    setBackupCode("");
    setFieldError(null);
    setFormError(null);
    setStatus(null);
    focusInput.current = true;
    if (next === "sms" && !smsSentTo) void sendSms();
  }

  async function sendSms() {
    if (busy) return;
    setBusy("send");
    setFormError(null);
    setStatus(`Sending a code to ${methods.sms?.phoneHint ?? "your phone"}…`);
    const result = await postJson<SmsSentResponse>("/api/auth/mfa/sms/send", { attemptId });
    setBusy(null);
    if (result.ok) {
      setSmsSentTo(result.data.phoneHint);
      setResendIn(result.data.resendAfter);
      setCode("");
      setStatus(`We sent a code to ${result.data.phoneHint}.`);
      focusInput.current = true;
      return;
    }
    setStatus(null);
    if (result.status === 429) setResendIn(30);
    if (!endsHere(result)) setFormError(result.formError);
    // Back on the (enabled again) send button, or the code field when this was a resend.
    focusInput.current = true;
  }

  /** Moves to the "sign in again" state when the failure means this attempt is over. */
  function endsHere(result: ApiFailure): boolean {
    const failure = errorCode(result);
    if (!failure || !(failure in DEAD_ENDS)) return false;
    setDeadEnd(DEAD_ENDS[failure]!);
    setStatus(null);
    setFormError(null);
    setFieldError(null);
    return true;
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (method === "security_key") void verifyWithKey();
    else void verify(method === "backup_code" ? backupCode : code);
  }

  /** Options naming this account's keys (bound to this attempt), the browser's prompt, then the signed answer. */
  async function verifyWithKey() {
    if (verifying.current || done || deadEnd) return;
    verifying.current = true;
    setBusy("key");
    setFormError(null);
    setStatus("Waiting for your security key…");
    try {
      const [{ startAuthentication }, started] = await Promise.all([
        import("@simplewebauthn/browser"),
        postJson<{ options: AuthenticationOptions }>("/api/auth/mfa/security-key/options", { attemptId }),
      ]);
      if (!started.ok) {
        setStatus(null);
        if (!endsHere(started)) setFormError(started.formError);
        return;
      }
      let response;
      try {
        response = await startAuthentication({ optionsJSON: started.data.options });
      } catch {
        setStatus(null);
        setFormError("No security key answered: it was cancelled or timed out. Try again, or choose another way below.");
        return;
      }
      setStatus("Verifying…");
      const result = await postJson<VerifyResponse>("/api/auth/mfa/verify", { attemptId, method: "security_key", response });
      if (result.ok) {
        setDone(true);
        setStatus("Verified! Signing you in…");
        navigate(result.data.redirectUrl || "/");
        return;
      }
      setStatus(null);
      if (!endsHere(result)) setFormError(result.formError);
    } finally {
      verifying.current = false;
      setBusy((current) => (current === "key" ? null : current));
    }
  }

  async function verify(value: string) {
    if (verifying.current || done || deadEnd) return;
    const local =
      method === "backup_code"
        ? looksLikeBackupCode(value)
          ? null
          : "Enter a backup code: 10 letters and numbers, like abcde-23456."
        : isCompleteCode(value)
          ? null
          : method === "totp"
            ? "Enter the 6-digit code from your authenticator app."
            : "Enter the 6-digit code from the text message.";
    if (local) {
      setFieldError(local);
      inputRef.current?.focus();
      return;
    }
    verifying.current = true;
    setBusy("verify");
    setFieldError(null);
    setFormError(null);
    setStatus("Verifying…");
    const result = await postJson<VerifyResponse>(
      "/api/auth/mfa/verify",
      { attemptId, method, code: method === "backup_code" ? normalizeBackupCode(value) : value },
      { fields: ["code"] },
    );
    verifying.current = false;
    if (result.ok) {
      setDone(true);
      setStatus("Verified! Signing you in…");
      navigate(result.data.redirectUrl || "/");
      return;
    }
    setBusy(null);
    setStatus(null);
    if (endsHere(result)) return;
    const failure = errorCode(result);
    // A wrong code ("3 tries left") or a spent one ("wait for the next code") goes under the field, which is
    // cleared for the next try. A network error or a rate limit keeps the code: it may be right.
    const codeProblem =
      result.fieldErrors.code ?? (failure === "verification_used" ? result.formError : null);
    if (codeProblem) {
      setFieldError(codeProblem);
      setCode("");
      setBackupCode("");
    } else {
      setFormError(result.formError);
    }
    inputRef.current?.focus();
  }

  const restartHref = redirectUrl ? `/sign-in?redirect_url=${encodeURIComponent(redirectUrl)}` : "/sign-in";
  const smsReady = method === "sms" && smsSentTo !== null;
  const hint =
    method === "sms" && smsSentTo ? `Enter the 6-digit code we texted to ${smsSentTo}.` : method === "sms" && methods.sms
      ? `We will text a 6-digit code to ${methods.sms.phoneHint}.`
      : HINTS[method];
  const others = choices.filter((choice) => choice !== method);

  return (
    <div className="grid gap-4">
      <div className="text-center text-sm text-muted-foreground">
        <h2 className="text-base font-semibold text-foreground">Two-step verification</h2>
        {notice ? (
          <p id={noticeId} className="mt-1 font-medium text-foreground">
            {notice}
          </p>
        ) : null}
        <p id={hintId} className="mt-1">
          {deadEnd ? "This sign-in cannot be completed." : hint}
        </p>
      </div>

      {deadEnd ? (
        <div className="grid gap-3">
          <FormAlert id="second-factor-error" message={deadEnd} />
          <a
            ref={restartRef}
            href={restartHref}
            className="inline-flex h-10 w-full items-center justify-center rounded-md bg-brand px-4 text-sm font-semibold text-brand-foreground shadow-sm hover:bg-brand-hover"
          >
            Sign in again
          </a>
        </div>
      ) : (
        <form method="post" noValidate onSubmit={onSubmit} aria-busy={busy === "verify" || undefined} className="grid gap-1">
          {method === "security_key" ? null : method === "backup_code" ? (
            <TextField
              ref={inputRef}
              id="backup-code"
              name="backupCode"
              label="Backup code"
              autoFocus
              autoComplete="off"
              autoCapitalize="none"
              autoCorrect="off"
              spellCheck={false}
              placeholder="abcde-23456"
              maxLength={24}
              readOnly={busy === "verify"}
              value={backupCode}
              onChange={(event) => {
                setBackupCode(event.target.value);
                setFieldError(null);
              }}
              error={fieldError}
              describedBy={describedBy}
            />
          ) : method === "sms" && !smsReady ? null : (
            <CodeField
              ref={inputRef}
              autoFocus
              readOnly={busy === "verify" || done}
              value={code}
              onChange={(value) => {
                setCode(value);
                setFieldError(null);
              }}
              onComplete={verify}
              error={fieldError}
              describedBy={describedBy}
            />
          )}
          <p role="status" aria-live="polite" className="min-h-5 text-sm text-muted-foreground">
            {status}
          </p>
          <FormAlert id="second-factor-error" message={formError} />
          {method === "security_key" ? (
            <div ref={sendButtonRef}>
              <Button type="submit" variant="primary" fullWidth autoFocus loading={busy === "key" || done}>
                Use your security key
              </Button>
            </div>
          ) : method === "sms" && !smsReady ? (
            <div ref={sendButtonRef}>
              <Button type="button" variant="primary" fullWidth loading={busy === "send"} onClick={() => void sendSms()}>
                Text me a code
              </Button>
            </div>
          ) : (
            <Button type="submit" variant="primary" fullWidth loading={busy === "verify" || done} className="mt-1">
              Verify
            </Button>
          )}
        </form>
      )}

      {!deadEnd && (others.length > 0 || smsReady) ? (
        <ul className="grid justify-items-center gap-1 text-sm">
          {smsReady ? (
            <li>
              <Button
                type="button"
                variant="ghost"
                className="h-8 px-2"
                loading={busy === "send"}
                disabled={resendIn > 0 || busy === "verify" || done}
                onClick={() => void sendSms()}
              >
                {resendIn > 0 ? `Resend code in ${resendIn} s` : "Resend code"}
              </Button>
            </li>
          ) : null}
          {others.map((other) => (
            <li key={other}>
              <button
                type="button"
                disabled={busy !== null || done}
                onClick={() => switchTo(other)}
                className="rounded-sm px-1 py-1 font-medium text-brand underline-offset-4 hover:underline focus-visible:underline disabled:opacity-60"
              >
                {SWITCH_LABELS[other]}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
