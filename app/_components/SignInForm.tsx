"use client";

import Link from "next/link";
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { navigate } from "./api";
import { BotCheckStatus, HoneypotField, honeypotBody } from "./bot-check/HoneypotField";
import { useBotCheck, type BotCheckConfig } from "./bot-check/useBotCheck";
import { AddPasskeyOffer, shouldOfferPasskey } from "./AddPasskeyOffer";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { PasskeySignInButton, usePasskeySignIn } from "./PasskeySignInButton";
import { PasswordInput } from "./PasswordInput";
import { IdentifierSwitch } from "./IdentifierSwitch";
import { EmailCodeStep, PhoneSignInForm, SecondFactorStep, preloadNextSteps, preloadPhoneForms } from "./lazy-steps";
import { EmailField } from "./EmailField";
import { secondFactorChallenge, type SecondFactorChallenge, type SecondFactorMethods } from "./second-factor-challenge";

type Field = "email" | "password";
const FIELDS: readonly Field[] = ["email", "password"];

const BOT_CHECK_OFF: BotCheckConfig = { enabled: false };

type SignInResponse = { status: string; redirectUrl?: string; attemptId?: string; methods?: SecondFactorMethods; userId?: string };
type EmailSentResponse = { status: "sent"; attemptId: string; resendAfter: number };

function validate(email: string, password: string, username = false): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  if (!email.trim()) errors.email = username ? "Enter your email address or username." : "Enter your email address.";
  else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim()) && !username) errors.email = "Enter a valid email address.";
  if (!password) errors.password = "Enter your password.";
  return errors;
}

/** The first factors this instance offers (S8 settings, passed by the server page; OAuth is `social`). */
export type SignInFormMethods = {
  password: boolean;
  emailCode: boolean;
  emailLink: boolean;
  passkey?: boolean;
  /** Identifiers (issue 19): email (default on), phone ("Use phone"), username (with a password). */
  email?: boolean;
  phone?: boolean;
  username?: boolean;
};

export function SignInForm({
  redirectUrl,
  social,
  methods = { password: true, emailCode: true, emailLink: true, passkey: true },
  socialPlacement = "top",
  botCheck = BOT_CHECK_OFF,
}: {
  redirectUrl?: string;
  /** Provider buttons (S5), shown above the fields until the form moves on to a code or second step. */
  social?: ReactNode;
  methods?: SignInFormMethods;
  /** S8: provider buttons above the form (default) or below it. */
  socialPlacement?: "top" | "bottom";
  /** S10: a bot check, loaded only when the server asks for one (risk signals), then solved on its own. */
  botCheck?: BotCheckConfig;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [sendingCode, setSendingCode] = useState(false);
  const [emailStep, setEmailStep] = useState<{ email: string; attemptId: string; resendAfter: number } | null>(null);
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);
  const [passkeyOffer, setPasskeyOffer] = useState<{ userId: string; redirectUrl: string } | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const passkey = usePasskeySignIn({ redirectUrl, onError: setFormError });
  const [honeypot, setHoneypot] = useState("");
  const check = useBotCheck(botCheck);
  // Issue 19: the phone version of the form, first when email is off.
  const [byPhone, setByPhone] = useState(methods.email === false && Boolean(methods.phone));
  // A username is typed in the email field (no "@") when usernames are on; it signs in with a password only.
  const withUsername = Boolean(methods.username) && methods.password;
  const typedUsername = withUsername && !email.includes("@");

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
    const local = validate(email, password, withUsername);
    if (Object.keys(local).length > 0) {
      setFieldErrors(local);
      setFormError(null);
      focusFirstInvalid(local);
      return;
    }

    setSubmitting(true);
    setFormError(null);
    setFieldErrors({});
    preloadNextSteps();
    const result = await check.post<SignInResponse>(
      "/api/auth/sign-in",
      {
        ...(typedUsername ? { username: email.trim() } : { email: email.trim() }),
        password,
        ...(redirectUrl ? { redirectUrl } : {}),
        ...honeypotBody(honeypot),
      },
      { fields: FIELDS },
    );

    if (result.ok) {
      if (result.data.status === "complete") {
        const target = result.data.redirectUrl || "/";
        // Signed in by password with nothing pending: offer a passkey once on this device (S13).
        const userId = result.data.userId;
        if (methods.passkey && userId && (await shouldOfferPasskey(userId))) {
          setSubmitting(false);
          setPasskeyOffer({ userId, redirectUrl: target });
          return;
        }
        // Keep the button busy: the page is about to be replaced.
        navigate(target);
        return;
      }
      setSubmitting(false);
      const next = secondFactorChallenge(result.data);
      if (next) setChallenge({ ...next, redirectUrl: next.redirectUrl ?? redirectUrl });
      else setFormError("Sign-in could not be completed. Please try again.");
      return;
    }

    setSubmitting(false);
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
    focusFirstInvalid(result.fieldErrors);
  }

  /** Passwordless: one email with a code and a magic link (S4). Only the email field is needed. */
  async function sendCode() {
    if (submitting || sendingCode) return;
    const local = validate(email, "-");
    if (local.email) {
      setFieldErrors({ email: local.email });
      setFormError(null);
      emailRef.current?.focus();
      return;
    }
    setSendingCode(true);
    setFormError(null);
    setFieldErrors({});
    preloadNextSteps();
    const result = await check.post<EmailSentResponse>(
      "/api/auth/email/send",
      { email: email.trim(), intent: "sign_in", ...(redirectUrl ? { redirectUrl } : {}), ...honeypotBody(honeypot) },
      { fields: ["email"] },
    );
    setSendingCode(false);
    if (result.ok) {
      setEmailStep({ email: email.trim(), attemptId: result.data.attemptId, resendAfter: result.data.resendAfter });
      return;
    }
    setFieldErrors(result.fieldErrors);
    setFormError(result.formError);
    focusFirstInvalid(result.fieldErrors);
  }

  const emailSignIn = methods.emailCode || methods.emailLink;
  const emailContents = methods.emailCode && methods.emailLink ? "code_and_link" : methods.emailCode ? "code" : "link";
  const emailButtonLabel = methods.emailCode ? "Email me a sign-in code" : "Email me a sign-in link";

  if (passkeyOffer) return <AddPasskeyOffer {...passkeyOffer} />;
  if (byPhone) {
    return (
      <div className="grid gap-4">
        {socialPlacement === "top" ? social : null}
        <PhoneSignInForm
          redirectUrl={redirectUrl}
          password={methods.password}
          botCheck={botCheck}
          switchToEmail={methods.email !== false ? () => setByPhone(false) : undefined}
        />
        {socialPlacement === "bottom" ? social : null}
      </div>
    );
  }
  if (challenge) return <SecondFactorStep {...challenge} />;

  if (emailStep) {
    return (
      <EmailCodeStep
        {...emailStep}
        contents={emailContents}
        onStartOver={() => {
          setEmailStep(null);
          requestAnimationFrame(() => emailRef.current?.focus());
        }}
      />
    );
  }

  if (!methods.password && !emailSignIn && !methods.phone) {
    // Only providers are on (S8): their buttons are the whole form.
    return (
      <div className="grid gap-4">
        {social ?? <p className="text-center text-sm text-muted-foreground">No way to sign in is available right now. Contact the administrator.</p>}
      </div>
    );
  }

  return (
    <div className="grid gap-4">
      {socialPlacement === "top" ? social : null}
      <form
        method="post"
        noValidate
        onSubmit={
          methods.password
            ? onSubmit
            : (event) => {
                event.preventDefault();
                void sendCode();
              }
        }
        aria-busy={submitting || sendingCode || undefined}
        className="relative grid gap-1"
      >
        <EmailField
          ref={emailRef}
          autoFocus
          {...(withUsername ? { type: "text", label: "Email address or username", inputMode: "text" as const } : {})}
          // Passkeys are offered in this field's autofill too (conditional mediation), from the
          // first click or key in it: a page view alone (the field has autofocus) starts nothing.
          autoComplete={methods.passkey ? "username webauthn" : "username"}
          onPointerDown={methods.passkey ? passkey.startAutofill : undefined}
          onKeyDown={methods.passkey ? passkey.startAutofill : undefined}
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            clearFieldError("email");
          }}
          error={fieldErrors.email}
        />
        {methods.password ? (
          <PasswordInput
            ref={passwordRef}
            id="password"
            name="password"
            label="Password"
            labelAside={
              <Link
                // The address typed so far goes along, so it need not be typed again.
                href={email.trim() ? `/forgot-password?email=${encodeURIComponent(email.trim())}` : "/forgot-password"}
                className="rounded-sm text-sm font-medium text-brand underline-offset-4 hover:underline focus-visible:underline"
              >
                Forgot password?
              </Link>
            }
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => {
              setPassword(event.target.value);
              clearFieldError("password");
            }}
            error={fieldErrors.password}
          />
        ) : null}
        <HoneypotField value={honeypot} onChange={setHoneypot} />
        {check.element}
        <FormAlert id="sign-in-error" message={formError} />
        {methods.password ? (
          <Button type="submit" variant="primary" fullWidth loading={submitting} disabled={sendingCode} className="mt-3">
            Sign in
          </Button>
        ) : (
          <Button type="submit" variant="primary" fullWidth loading={sendingCode} className="mt-3">
            {emailButtonLabel}
          </Button>
        )}
        <BotCheckStatus waiting={(submitting || sendingCode) && check.waiting} error={check.error} />
      </form>
      {methods.password && emailSignIn ? (
        <>
          <div className="flex items-center gap-3 text-xs text-muted-foreground" aria-hidden="true">
            <span className="h-px flex-1 bg-border" />
            or
            <span className="h-px flex-1 bg-border" />
          </div>
          <Button type="button" variant="secondary" fullWidth loading={sendingCode} disabled={submitting} onClick={sendCode}>
            {emailButtonLabel}
          </Button>
        </>
      ) : null}
      {methods.phone ? <IdentifierSwitch to="phone" onClick={() => setByPhone(true)} onIntent={preloadPhoneForms} disabled={submitting || sendingCode} /> : null}
      {methods.passkey ? <PasskeySignInButton busy={passkey.busy} disabled={submitting || sendingCode} onClick={() => void passkey.signIn()} /> : null}
      {socialPlacement === "bottom" ? social : null}
    </div>
  );
}
