"use client";

import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import { errorCode, getJson, navigate, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { CodeField } from "./CodeField";
import { isCompleteCode } from "./code-input";
import { PasskeySignUpStep } from "./PasskeySignUpStep";
import { SecondFactorStep, secondFactorChallenge, type SecondFactorChallenge, type SecondFactorMethods } from "./SecondFactorStep";
import { useCountdown } from "./useCountdown";

/** Every state of a sent code or link the user can see (S4, S11). */
export type CodePhase = "sent" | "verifying" | "verified" | "expired" | "used" | "failed";

type VerifyResponse = { status: string; redirectUrl?: string; attemptId?: string; methods?: SecondFactorMethods };
type StatusResponse = {
  status: "pending" | "complete" | "needs_second_factor" | "needs_passkey" | "expired" | "failed";
  redirectUrl?: string;
  attemptId?: string;
  methods?: SecondFactorMethods;
};
type SendResponse = { status: string; attemptId: string; resendAfter: number };

const POLL_INTERVAL_MS = 2_000;

const PHASE_MESSAGE: Record<Exclude<CodePhase, "sent">, string> = {
  verifying: "Verifying your code…",
  verified: "Verified! Signing you in…",
  expired: "This code has expired. Send a new one to continue.",
  used: "This code has already been used. Start over to get a new one.",
  failed: "Too many incorrect codes. Send a new code to try again.",
};

/** How a code travels and is checked: email (code, link or both; S4) or text message (issue 19). */
type CodeChannel = {
  heading: string;
  /** The address or number as shown. */
  sentTo: string;
  /** "a 6-digit code and a link", "a 6-digit code by text message", ... */
  sentWhat: string;
  /** What "Edit" changes, for screen readers. */
  editLabel: string;
  /** Where the code came from, for the error message. */
  codeSource: string;
  hint: string;
  /** False when only a link was sent: no code field, the poll completes the step. */
  withCode: boolean;
  verifyPath: string;
  sendPath: string;
  /** Polled for completion elsewhere (a link opened in another tab); null: nothing to poll. */
  statusPath: string | null;
};

/**
 * The "check your email" step shared by sign-in and sign-up: the address with
 * an edit button, a 6-digit code field that has focus on load and submits by
 * itself at six digits, a resend button with a visible countdown, and a
 * status poll so this tab completes by itself when the link in the email is
 * opened (in another tab, or confirmed on another device). An account with
 * two-step verification continues here with its second factor.
 */
export function EmailCodeStep({
  email,
  attemptId,
  resendAfter,
  onStartOver,
  contents = "code_and_link",
}: {
  email: string;
  attemptId: string;
  resendAfter: number;
  onStartOver: () => void;
  /** What the email carries: sign-in by code or by link may each be off (S8); sign-up emails carry both. */
  contents?: "code_and_link" | "code" | "link";
}) {
  const withCode = contents !== "link";
  const channel: CodeChannel = {
    heading: "Check your email",
    sentTo: email,
    sentWhat: contents === "code_and_link" ? "a 6-digit code and a link" : withCode ? "a 6-digit code" : "a link",
    editLabel: "email address",
    codeSource: "email",
    hint:
      contents === "code_and_link"
        ? "Enter the code below, or open the link in the email. Both work for 10 minutes."
        : withCode
          ? "Enter the code below. It works for 10 minutes."
          : "Open the link in the email on this device; this page continues by itself. It works for 10 minutes.",
    withCode,
    verifyPath: "/api/auth/email/verify-code",
    sendPath: "/api/auth/email/send",
    statusPath: "/api/auth/email/status",
  };
  return <CodeStep channel={channel} attemptId={attemptId} resendAfter={resendAfter} onStartOver={onStartOver} />;
}

/**
 * The "check your phone" step of sign-in and sign-up by phone number
 * (issue 19): the same step with the code texted (SMS autofill through
 * autocomplete "one-time-code" and the origin-bound last line of the text).
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
  const channel: CodeChannel = {
    heading: "Check your phone",
    sentTo: phone,
    sentWhat: "a 6-digit code by text message",
    editLabel: "phone number",
    codeSource: "text message",
    hint: "Enter the code below. It works for 10 minutes.",
    withCode: true,
    verifyPath: "/api/auth/phone/verify-code",
    sendPath: "/api/auth/phone/send",
    statusPath: null,
  };
  return <CodeStep channel={channel} attemptId={attemptId} resendAfter={resendAfter} onStartOver={onStartOver} />;
}

function CodeStep({
  channel,
  attemptId,
  resendAfter,
  onStartOver,
}: {
  channel: CodeChannel;
  attemptId: string;
  resendAfter: number;
  onStartOver: () => void;
}) {
  const { sentTo, withCode, statusPath } = channel;
  const [code, setCode] = useState("");
  const [phase, setPhase] = useState<CodePhase>("sent");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resendIn, setResendIn] = useCountdown(resendAfter);
  const [resending, setResending] = useState(false);
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);
  // A passkey sign-up (S13): the address is verified, the passkey comes next.
  const [passkeyStep, setPasskeyStep] = useState<{ attemptId: string; redirectUrl?: string | null } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  // Set synchronously, unlike `phase`: the auto-submit at six digits, Enter and a click on
  // "Verify code" can all arrive before React re-renders, and only the first may post.
  const verifying = useRef(false);
  const sentToId = useId();
  const hintId = useId();
  const finished = phase === "verified";

  const complete = useCallback((redirectUrl?: string) => {
    setPhase("verified");
    navigate(redirectUrl || "/");
  }, []);


  // Same-device completion: poll until the attempt is complete, dead, or waiting for its second factor.
  useEffect(() => {
    if (!statusPath || phase !== "sent" || challenge || passkeyStep) return;
    const controller = new AbortController();
    let missedPolls = 0;
    const timer = setInterval(async () => {
      try {
        const result = await getJson<StatusResponse>(
`${statusPath}?attemptId=${encodeURIComponent(attemptId)}`, { signal: controller.signal });
        if (!result.ok) {
          // One 404 can be a poll that raced the sign-in in another tab (which replaced the browser's
          // client cookie); two in a row mean the attempt is gone.
          if (result.status === 404 && ++missedPolls >= 2) setPhase("expired");
          return;
        }
        missedPolls = 0;
        const { status, redirectUrl } = result.data;
        if (status === "complete") complete(redirectUrl);
        else if (status === "needs_second_factor") setChallenge(secondFactorChallenge(result.data));
        else if (status === "needs_passkey") setPasskeyStep({ attemptId, redirectUrl });
        else if (status === "expired") setPhase("expired");
        else if (status === "failed") setPhase("failed");
      } catch {
        /* aborted */
      }
    }, POLL_INTERVAL_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [statusPath, attemptId, phase, challenge, passkeyStep, complete]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void verify(code);
  }

  async function verify(value: string) {
    if (verifying.current || finished) return;
    if (!isCompleteCode(value)) {
      setFieldError(`Enter the 6-digit code from the ${channel.codeSource}.`);
      inputRef.current?.focus();
      return;
    }
    verifying.current = true;
    setPhase("verifying");
    setFieldError(null);
    setFormError(null);
    setNotice(null);
    const result = await postJson<VerifyResponse>(channel.verifyPath, { attemptId, code: value }, { fields: ["code"] });
    verifying.current = false;
    if (result.ok) {
      if (result.data.status === "complete") return complete(result.data.redirectUrl);
      setPhase("sent");
      if (result.data.status === "needs_passkey") return setPasskeyStep({ attemptId, redirectUrl: result.data.redirectUrl });
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
      // A wrong code is cleared for retyping (six new digits submit again); after a network error or
      // a rate limit the code may be right, so it stays for "Verify code".
      if (result.fieldErrors.code) setCode("");
      inputRef.current?.focus();
    }
  }

  async function resend() {
    if (resending || resendIn > 0) return;
    setResending(true);
    setFormError(null);
    const result = await postJson<SendResponse>(channel.sendPath, { attemptId });
    setResending(false);
    if (result.ok) {
      setResendIn(result.data.resendAfter);
      setPhase("sent");
      setCode("");
      setFieldError(null);
      setNotice(`We sent a new ${withCode ? "code" : "link"} to ${sentTo}.`);
      inputRef.current?.focus();
      return;
    }
    // The cooldown message says how long; restart the visible timer with the S4 default.
    if (result.status === 429) setResendIn(30);
    setFormError(result.formError);
  }

  if (challenge) return <SecondFactorStep {...challenge} />;
  if (passkeyStep) return <PasskeySignUpStep {...passkeyStep} />;

  const statusText = phase === "sent" ? notice : (notice ?? PHASE_MESSAGE[phase]);
  const canEnterCode = phase === "sent" || phase === "verifying";

  return (
    <div className="grid gap-4">
      <div className="text-center text-sm text-muted-foreground">
        <h2 className="text-base font-semibold text-foreground">{channel.heading}</h2>
        <div className="mt-1">
          <p id={sentToId} className="inline">
            We sent {channel.sentWhat} to <span className="font-medium break-words text-foreground">{sentTo}</span>
          </p>{" "}
          <button
            type="button"
            onClick={onStartOver}
            className="rounded-sm font-medium text-brand underline-offset-4 hover:underline focus-visible:underline"
          >
            Edit<span className="sr-only"> {channel.editLabel}</span>
          </button>
        </div>
        <p id={hintId} className="mt-1">
          {channel.hint}
        </p>
      </div>

      {withCode ? (
        <form
          method="post"
          noValidate
          onSubmit={onSubmit}
          aria-busy={phase === "verifying" || undefined}
          className="grid gap-1"
        >
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
            // Focus lands here on load: the field's description says where the code went.
            describedBy={`${sentToId} ${hintId}`}
          />
          <p role="status" aria-live="polite" className="min-h-5 text-sm text-muted-foreground" data-phase={phase}>
            {statusText}
          </p>
          <FormAlert id="code-error" message={formError} />
          <Button
            type="submit"
            variant="primary"
            fullWidth
            loading={phase === "verifying" || finished}
            disabled={!canEnterCode && !finished}
          >
            Verify code
          </Button>
        </form>
      ) : (
        <>
          <p role="status" aria-live="polite" className="min-h-5 text-center text-sm text-muted-foreground" data-phase={phase}>
            {statusText}
          </p>
          <FormAlert id="code-error" message={formError} />
        </>
      )}

      <div className="flex justify-center text-sm">
        <Button
          type="button"
          variant="ghost"
          onClick={resend}
          loading={resending}
          disabled={resendIn > 0 || finished}
          className="h-8 px-2"
        >
          {resendIn > 0 ? `Resend ${withCode ? "code" : "link"} in ${resendIn} s` : `Resend ${withCode ? "code" : "link"}`}
        </Button>
      </div>
    </div>
  );
}
