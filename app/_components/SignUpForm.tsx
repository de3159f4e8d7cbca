"use client";

import { KeyRound } from "lucide-react";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { navigate } from "./api";
import { BotCheckStatus, HoneypotField, honeypotBody } from "./bot-check/HoneypotField";
import { useBotCheck, type BotCheckConfig } from "./bot-check/useBotCheck";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { EmailField } from "./EmailField";
import { PasswordField } from "./PasswordField";
import { IdentifierSwitch } from "./IdentifierSwitch";
import { EmailCodeStep, PhoneSignUpForm, preloadNextSteps, preloadPhoneForms } from "./lazy-steps";
import { OptionalHint, TextField } from "./TextField";

type Field = "firstName" | "lastName" | "email" | "password";
const FIELDS: readonly Field[] = ["firstName", "lastName", "email", "password"];
type Errors = Partial<Record<Field, string>>;

const BOT_CHECK_OFF: BotCheckConfig = { enabled: false };

type SignUpResponse = { status: string; redirectUrl?: string; attemptId?: string; resendAfter?: number };

function validate(values: Record<Field, string>, withPassword: boolean): Errors {
  const errors: Errors = {};
  const email = values.email.trim();
  if (!email) errors.email = "Enter your email address.";
  else if (!/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = "Enter a valid email address.";
  if (withPassword && !values.password) errors.password = "Enter a password.";
  if (values.firstName.trim().length > 100) errors.firstName = "Use at most 100 characters.";
  if (values.lastName.trim().length > 100) errors.lastName = "Use at most 100 characters.";
  return errors;
}

export function SignUpForm({
  redirectUrl,
  minScore,
  minLength,
  social,
  invitation,
  passkey = false,
  socialPlacement = "top",
  legalNotice,
  verificationContents = "code_and_link",
  botCheck = BOT_CHECK_OFF,
  identifiers = { email: true, phone: false },
}: {
  redirectUrl?: string;
  minScore?: number;
  /** The instance's minimum password length (S3, S8). */
  minLength?: number;
  /** Provider buttons (S5), shown above the fields until the form moves on to its next step. */
  social?: ReactNode;
  /** An admin's invitation (S8): the address it was sent to is fixed, and the token goes with the sign-up. */
  invitation?: { token: string; email: string };
  /** Sign-up with a passkey instead of a password is on here (S13); offered where the browser supports WebAuthn. */
  passkey?: boolean;
  /** S8: provider buttons above the form (default) or below it. */
  socialPlacement?: "top" | "bottom";
  /** S8: "By signing up you agree to …" with the admin's terms and privacy links, under the button. */
  legalNotice?: ReactNode;
  /** S8 `verificationEmailContent`: what the verification email carries, so the next step asks for the right thing. */
  verificationContents?: "code_and_link" | "code" | "link";
  /** S10: every sign-up carries a solved bot check, worked out in the background while the person types. */
  botCheck?: BotCheckConfig;
  /** Issue 19: sign up by email and/or by phone number ("Use phone" switches when both are on). */
  identifiers?: { email: boolean; phone: boolean };
}) {
  const [values, setValues] = useState<Record<Field, string>>({ firstName: "", lastName: "", email: invitation?.email ?? "", password: "" });
  const [fieldErrors, setFieldErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [verification, setVerification] = useState<{ email: string; attemptId: string; resendAfter: number } | null>(
    null,
  );
  const [passkeySupported, setPasskeySupported] = useState(false);
  const [honeypot, setHoneypot] = useState("");
  const check = useBotCheck(botCheck);
  const { start: startBotCheck } = check;
  useEffect(() => startBotCheck(), [startBotCheck]);
  const [withPasskey, setWithPasskey] = useState(false);
  const [byPhone, setByPhone] = useState(!identifiers.email && identifiers.phone);
  const refs = {
    firstName: useRef<HTMLInputElement>(null),
    lastName: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };

  // The library loads only where the setting is on; until it answers, the password form shows as usual.
  useEffect(() => {
    if (!passkey) return;
    let cancelled = false;
    import("@simplewebauthn/browser")
      .then(({ browserSupportsWebAuthn }) => {
        if (!cancelled) setPasskeySupported(browserSupportsWebAuthn());
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [passkey]);

  function focusFirstInvalid(errors: Errors) {
    const first = FIELDS.find((field) => errors[field]);
    if (first) refs[first].current?.focus();
  }

  function update(field: Field, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
    setFieldErrors((current) => (current[field] ? { ...current, [field]: undefined } : current));
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    const local = validate(values, !withPasskey);
    if (Object.keys(local).length > 0) {
      setFieldErrors(local);
      setFormError(null);
      focusFirstInvalid(local);
      return;
    }

    setSubmitting(true);
    preloadNextSteps();
    setFormError(null);
    setFieldErrors({});
    const firstName = values.firstName.trim();
    const lastName = values.lastName.trim();
    const result = await check.post<SignUpResponse>(
      withPasskey ? "/api/auth/sign-up/passkey" : "/api/auth/sign-up",
      {
        email: values.email.trim(),
        // S13: no password at all for a passkey sign-up; the email is verified first, then the passkey is made.
        ...(withPasskey ? {} : { password: values.password }),
        ...(firstName ? { firstName } : {}),
        ...(lastName ? { lastName } : {}),
        ...(redirectUrl ? { redirectUrl } : {}),
        ...(invitation ? { invitation: invitation.token } : {}),
        ...honeypotBody(honeypot),
      },
      { fields: FIELDS, upfront: true },
    );

    if (result.ok) {
      if (result.data.status === "complete") {
        navigate(result.data.redirectUrl || "/");
        return;
      }
      setSubmitting(false);
      if (result.data.status === "needs_verification" && result.data.attemptId) {
        // S4: the account is created once the emailed code or link comes back.
        setVerification({
          email: values.email.trim(),
          attemptId: result.data.attemptId,
          resendAfter: result.data.resendAfter ?? 30,
        });
        return;
      }
      setFormError("Sign-up needs another step this page does not support yet.");
      return;
    }

    setSubmitting(false);
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
    focusFirstInvalid(result.fieldErrors);
  }

  if (byPhone) {
    return (
      <div className="grid gap-4">
        {socialPlacement === "top" ? social : null}
        <PhoneSignUpForm
          redirectUrl={redirectUrl}
          botCheck={botCheck}
          legalNotice={legalNotice}
          switchToEmail={identifiers.email ? () => setByPhone(false) : undefined}
        />
        {socialPlacement === "bottom" ? social : null}
      </div>
    );
  }

  if (verification) {
    return (
      <EmailCodeStep
        {...verification}
        contents={verificationContents}
        onStartOver={() => {
          setVerification(null);
          requestAnimationFrame(() => refs.email.current?.focus());
        }}
      />
    );
  }

  return (
    <div className="grid gap-4">
      {socialPlacement === "top" ? social : null}
      <form method="post" noValidate onSubmit={onSubmit} aria-busy={submitting || undefined} className="relative grid gap-1">
        <div className="grid gap-x-3 gap-y-1 sm:grid-cols-2">
          <TextField
            ref={refs.firstName}
            autoFocus
            id="firstName"
            name="firstName"
            label="First name"
            labelAside={<OptionalHint />}
            autoComplete="given-name"
            maxLength={100}
            value={values.firstName}
            onChange={(event) => update("firstName", event.target.value)}
            error={fieldErrors.firstName}
          />
          <TextField
            ref={refs.lastName}
            id="lastName"
            name="lastName"
            label="Last name"
            labelAside={<OptionalHint />}
            autoComplete="family-name"
            maxLength={100}
            value={values.lastName}
            onChange={(event) => update("lastName", event.target.value)}
            error={fieldErrors.lastName}
          />
        </div>
        <EmailField
          ref={refs.email}
          autoComplete="email"
          value={values.email}
          // The invitation is for this address only: shown, not editable.
          readOnly={Boolean(invitation)}
          aria-readonly={invitation ? true : undefined}
          labelAside={invitation ? <span className="text-xs text-muted-foreground">From your invitation</span> : undefined}
          onChange={(event) => update("email", event.target.value)}
          error={fieldErrors.email}
        />
        {withPasskey ? (
          <p className="mt-2 text-sm text-muted-foreground">
            After you verify your email address, this device creates a passkey for the account: you sign in with your fingerprint, face or screen
            lock, without a password.
          </p>
        ) : (
          <PasswordField
            ref={refs.password}
            id="password"
            name="password"
            label="Password"
            autoComplete="new-password"
            required
            value={values.password}
            onValueChange={(value) => update("password", value)}
            userInputs={[values.email, values.firstName, values.lastName]}
            minScore={minScore}
            minLength={minLength}
            error={fieldErrors.password}
          />
        )}
        <HoneypotField value={honeypot} onChange={setHoneypot} />
        {check.element}
        <FormAlert id="sign-up-error" message={formError} />
        <Button type="submit" variant="primary" fullWidth loading={submitting} className="mt-3">
          Create account
        </Button>
        <BotCheckStatus waiting={submitting && check.waiting} error={check.error} />
        {legalNotice}
      </form>
      {passkey && passkeySupported ? (
        <Button
          type="button"
          variant="ghost"
          fullWidth
          disabled={submitting}
          onClick={() => {
            setWithPasskey((current) => !current);
            setFieldErrors((current) => (current.password ? { ...current, password: undefined } : current));
            setFormError(null);
          }}
        >
          <KeyRound aria-hidden="true" className="size-4" />
          {withPasskey ? "Use a password instead" : "Use a passkey instead of a password"}
        </Button>
      ) : null}
      {identifiers.phone ? <IdentifierSwitch to="phone" onClick={() => setByPhone(true)} onIntent={preloadPhoneForms} disabled={submitting} /> : null}
      {socialPlacement === "bottom" ? social : null}
    </div>
  );
}
