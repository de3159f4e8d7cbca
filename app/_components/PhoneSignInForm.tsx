"use client";

import Link from "next/link";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { navigate } from "./api";
import { BotCheckStatus, HoneypotField, honeypotBody } from "./bot-check/HoneypotField";
import { useBotCheck, type BotCheckConfig } from "./bot-check/useBotCheck";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { IdentifierSwitch } from "./IdentifierSwitch";
import { PasswordInput } from "./PasswordInput";
import { PhoneCodeStep } from "./CodeStep";
import { formatPhoneForDisplay, PhoneField } from "./PhoneField";
import { OptionalHint, TextField } from "./TextField";
import { SecondFactorStep, secondFactorChallenge, type SecondFactorChallenge, type SecondFactorMethods } from "./SecondFactorStep";

type SentResponse = { status: "sent"; attemptId: string; resendAfter: number };
type SignInResponse = { status: string; redirectUrl?: string; attemptId?: string; methods?: SecondFactorMethods };
type CodeStep = { phone: string; attemptId: string; resendAfter: number };

const BOT_CHECK_OFF: BotCheckConfig = { enabled: false };

/** Whether a typed phone value is worth sending (the server says what is wrong with anything else). */
function phoneProblem(phone: string): string | null {
  return phone.replace(/\D/g, "").length < 4 ? "Enter your phone number." : null;
}

/**
 * Sign in with a phone number (issue 19): an SMS code (the first factor), or
 * the number and a password where password sign-in is on. The code step and
 * any second factor follow in place.
 */
export function PhoneSignInForm({
  redirectUrl,
  password: withPassword,
  switchToEmail,
  botCheck = BOT_CHECK_OFF,
}: {
  redirectUrl?: string;
  /** Password sign-in is on (S8): offer the number + password too, with "Forgot password?". */
  password: boolean;
  /** S10: as on the email version, loaded only when the server asks for a check (risk signals). */
  botCheck?: BotCheckConfig;
  /** Shown when the email version of the form is available too. */
  switchToEmail?: () => void;
}) {
  const [phone, setPhone] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<{ phone?: string; password?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [codeStep, setCodeStep] = useState<CodeStep | null>(null);
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);
  const phoneRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const [honeypot, setHoneypot] = useState("");
  const check = useBotCheck(botCheck);

  async function sendCode() {
    if (sending || submitting) return;
    const problem = phoneProblem(phone);
    if (problem) {
      setFieldErrors({ phone: problem });
      phoneRef.current?.focus();
      return;
    }
    setSending(true);
    setFormError(null);
    setFieldErrors({});
    const result = await check.post<SentResponse>(
      "/api/auth/phone/send",
      { phone, intent: "sign_in", ...(redirectUrl ? { redirectUrl } : {}), ...honeypotBody(honeypot) },
      { fields: ["phone"] },
    );
    setSending(false);
    if (result.ok) {
      setCodeStep({ phone: formatPhoneForDisplay(phone), attemptId: result.data.attemptId, resendAfter: result.data.resendAfter });
      return;
    }
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
    if (result.fieldErrors.phone) phoneRef.current?.focus();
  }

  async function signInWithPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!withPassword) return void sendCode();
    if (submitting || sending) return;
    const errors = { phone: phoneProblem(phone) ?? undefined, password: password ? undefined : "Enter your password." };
    if (errors.phone || errors.password) {
      setFieldErrors(errors);
      (errors.phone ? phoneRef : passwordRef).current?.focus();
      return;
    }
    setSubmitting(true);
    setFormError(null);
    setFieldErrors({});
    const result = await check.post<SignInResponse>(
      "/api/auth/sign-in",
      { phone, password, ...(redirectUrl ? { redirectUrl } : {}), ...honeypotBody(honeypot) },
      { fields: ["phone", "password"] },
    );
    if (result.ok && result.data.status === "complete") return navigate(result.data.redirectUrl || "/");
    setSubmitting(false);
    if (result.ok) {
      const next = secondFactorChallenge(result.data);
      if (next) setChallenge({ ...next, redirectUrl: next.redirectUrl ?? redirectUrl });
      else setFormError("Sign-in could not be completed. Please try again.");
      return;
    }
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
  }

  if (challenge) return <SecondFactorStep {...challenge} />;
  if (codeStep) {
    return (
      <PhoneCodeStep
        {...codeStep}
        onStartOver={() => {
          setCodeStep(null);
          requestAnimationFrame(() => phoneRef.current?.focus());
        }}
      />
    );
  }

  return (
    <div className="grid gap-4">
      <form method="post" noValidate onSubmit={signInWithPassword} aria-busy={submitting || sending || undefined} className="relative grid gap-1">
        <PhoneField
          ref={phoneRef}
          autoFocus
          value={phone}
          onChange={(value) => {
            setPhone(value);
            setFieldErrors((current) => (current.phone ? { ...current, phone: undefined } : current));
          }}
          error={fieldErrors.phone}
        />
        {withPassword ? (
          <PasswordInput
            ref={passwordRef}
            id="password"
            name="password"
            label="Password"
            labelAside={
              <Link
                href="/forgot-password?by=phone"
                className="rounded-sm text-sm font-medium text-brand underline-offset-4 hover:underline focus-visible:underline"
              >
                Forgot password?
              </Link>
            }
            autoComplete="current-password"
            value={password}
            onChange={(event) => {
              setPassword(event.target.value);
              setFieldErrors((current) => (current.password ? { ...current, password: undefined } : current));
            }}
            error={fieldErrors.password}
          />
        ) : null}
        <HoneypotField value={honeypot} onChange={setHoneypot} />
        {check.element}
        <FormAlert id="phone-sign-in-error" message={formError} />
        {withPassword ? (
          <Button type="submit" variant="primary" fullWidth loading={submitting} disabled={sending} className="mt-3">
            Sign in
          </Button>
        ) : (
          <Button type="submit" variant="primary" fullWidth loading={sending} className="mt-3">
            Text me a sign-in code
          </Button>
        )}
        <BotCheckStatus waiting={(submitting || sending) && check.waiting} error={check.error} />
      </form>
      {withPassword ? (
        <>
          <div className="flex items-center gap-3 text-xs text-muted-foreground" aria-hidden="true">
            <span className="h-px flex-1 bg-border" />
            or
            <span className="h-px flex-1 bg-border" />
          </div>
          <Button type="button" variant="secondary" fullWidth loading={sending} disabled={submitting} onClick={() => void sendCode()}>
            Text me a sign-in code
          </Button>
        </>
      ) : null}
      {switchToEmail ? <IdentifierSwitch to="email" onClick={switchToEmail} disabled={submitting || sending} /> : null}
    </div>
  );
}

/**
 * Sign up with a phone number (issue 19): optional names and the number; the
 * account is made once the texted code comes back (no password: the number
 * is the way in, and a password can be set later by "Forgot password").
 */
export function PhoneSignUpForm({
  redirectUrl,
  switchToEmail,
  botCheck = BOT_CHECK_OFF,
  legalNotice,
}: {
  redirectUrl?: string;
  switchToEmail?: () => void;
  /** S10: every sign-up carries a solved bot check, worked out in the background while the person types. */
  botCheck?: BotCheckConfig;
  /** S8: the terms and privacy notice under the button, as on the email version. */
  legalNotice?: ReactNode;
}) {
  const [names, setNames] = useState({ firstName: "", lastName: "" });
  const [phone, setPhone] = useState("");
  const [fieldErrors, setFieldErrors] = useState<{ phone?: string; firstName?: string; lastName?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [codeStep, setCodeStep] = useState<CodeStep | null>(null);
  const phoneRef = useRef<HTMLInputElement>(null);
  const [honeypot, setHoneypot] = useState("");
  const check = useBotCheck(botCheck);
  const { start: startBotCheck } = check;
  useEffect(() => startBotCheck(), [startBotCheck]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending) return;
    const problem = phoneProblem(phone);
    if (problem) {
      setFieldErrors({ phone: problem });
      phoneRef.current?.focus();
      return;
    }
    setSending(true);
    setFormError(null);
    setFieldErrors({});
    const firstName = names.firstName.trim();
    const lastName = names.lastName.trim();
    const result = await check.post<SentResponse>(
      "/api/auth/phone/send",
      {
        phone,
        intent: "sign_up",
        ...(firstName ? { firstName } : {}),
        ...(lastName ? { lastName } : {}),
        ...(redirectUrl ? { redirectUrl } : {}),
        ...honeypotBody(honeypot),
      },
      { fields: ["phone", "firstName", "lastName"], upfront: true },
    );
    setSending(false);
    if (result.ok) {
      setCodeStep({ phone: formatPhoneForDisplay(phone), attemptId: result.data.attemptId, resendAfter: result.data.resendAfter });
      return;
    }
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
    if (result.fieldErrors.phone) phoneRef.current?.focus();
  }

  if (codeStep) {
    return (
      <PhoneCodeStep
        {...codeStep}
        onStartOver={() => {
          setCodeStep(null);
          requestAnimationFrame(() => phoneRef.current?.focus());
        }}
      />
    );
  }

  return (
    <div className="grid gap-4">
      <form method="post" noValidate onSubmit={onSubmit} aria-busy={sending || undefined} className="relative grid gap-1">
        <div className="grid gap-x-3 gap-y-1 sm:grid-cols-2">
          <TextField
            id="firstName"
            name="firstName"
            label="First name"
            labelAside={<OptionalHint />}
            autoComplete="given-name"
            maxLength={100}
            value={names.firstName}
            onChange={(event) => setNames((current) => ({ ...current, firstName: event.target.value }))}
            error={fieldErrors.firstName}
          />
          <TextField
            id="lastName"
            name="lastName"
            label="Last name"
            labelAside={<OptionalHint />}
            autoComplete="family-name"
            maxLength={100}
            value={names.lastName}
            onChange={(event) => setNames((current) => ({ ...current, lastName: event.target.value }))}
            error={fieldErrors.lastName}
          />
        </div>
        <PhoneField
          ref={phoneRef}
          // Focus follows the "Use phone" switch (the button that had it is gone).
          autoFocus
          value={phone}
          onChange={(value) => {
            setPhone(value);
            setFieldErrors((current) => (current.phone ? { ...current, phone: undefined } : current));
          }}
          error={fieldErrors.phone}
        />
        <HoneypotField value={honeypot} onChange={setHoneypot} />
        {check.element}
        <FormAlert id="phone-sign-up-error" message={formError} />
        <Button type="submit" variant="primary" fullWidth loading={sending} className="mt-3">
          Text me a code
        </Button>
        <BotCheckStatus waiting={sending && check.waiting} error={check.error} />
        {legalNotice}
      </form>
      {switchToEmail ? <IdentifierSwitch to="email" onClick={switchToEmail} disabled={sending} /> : null}
    </div>
  );
}
