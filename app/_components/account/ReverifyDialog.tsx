"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";
import { getJson, postJson } from "../api";
import { FormAlert } from "../Alert";
import { looksLikeBackupCode, normalizeBackupCode } from "../backup-code";
import { Button } from "../Button";
import { CodeField } from "../CodeField";
import { isCompleteCode } from "../code-input";
import { PasswordInput } from "../PasswordInput";
import { Spinner } from "../Spinner";
import { TextField } from "../TextField";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "../ui/dialog";
import { withSession, type CodeSent, type EmailCodeSent, type ReverifyMethods } from "./account-api";
import { useCountdown } from "../useCountdown";

type Method = "password" | "totp" | "backup_code" | "sms" | "email_code" | "security_key";
type AuthenticationOptions = Parameters<typeof import("@simplewebauthn/browser").startAuthentication>[0]["optionsJSON"];
/** Methods whose code we send first (a text, or an email for accounts with nothing else). */
type SentMethod = "sms" | "email_code";
const isSent = (method: Method): method is SentMethod => method === "sms" || method === "email_code";

const SWITCH_LABELS: Record<Method, string> = {
  password: "Use your password",
  totp: "Use your authenticator app",
  backup_code: "Use a backup code",
  sms: "Text me a code",
  email_code: "Email me a code",
  security_key: "Use your security key",
};

function offered(methods: ReverifyMethods): Method[] {
  const all: [Method, boolean][] = [
    ["password", methods.password],
    ["totp", methods.totp],
    ["security_key", methods.securityKey],
    ["sms", methods.sms !== null],
    ["backup_code", methods.backupCode],
    ["email_code", methods.emailCode !== null],
  ];
  return all.filter(([, available]) => available).map(([method]) => method);
}

/** The "Confirm it's you" dialog of the step-up pattern (step-up.tsx). */
export function ReverifyDialog({ open, onVerified, onCancel }: { open: boolean; onVerified: () => void; onCancel: () => void }) {
  return (
    <Dialog open={open} onOpenChange={(next) => (next ? undefined : onCancel())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Confirm it’s you</DialogTitle>
          <DialogDescription>
            This is a sensitive change. Confirm your identity to continue; you won’t be asked again for 10 minutes.
          </DialogDescription>
        </DialogHeader>
        <ReverifyForm onVerified={onVerified} />
      </DialogContent>
    </Dialog>
  );
}

/** Mounted only while the dialog is open, so every opening starts clean. */
function ReverifyForm({ onVerified }: { onVerified: () => void }) {
  const [methods, setMethods] = useState<ReverifyMethods | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [method, setMethod] = useState<Method>("password");
  const [value, setValue] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"verify" | "send" | null>(null);
  const [sentTo, setSentTo] = useState<Partial<Record<SentMethod, string>>>({});
  const [resendIn, setResendIn] = useCountdown(0);
  const inputRef = useRef<HTMLInputElement>(null);
  const verifying = useRef(false);
  const focusInput = useRef(false);

  useEffect(() => {
    let cancelled = false;
    void withSession(() => getJson<ReverifyMethods>("/api/auth/reverify")).then((result) => {
      if (cancelled) return;
      if (!result.ok) return setLoadError(result.formError ?? "Could not load your sign-in methods.");
      setMethods(result.data);
      setMethod(offered(result.data)[0] ?? "password");
    });
    return () => {
      cancelled = true;
    };
  }, []);


  useEffect(() => {
    if (!focusInput.current) return;
    focusInput.current = false;
    inputRef.current?.focus();
  });

  if (loadError || !methods) {
    return (
      <div className="grid gap-4">
        {loadError ? (
          <FormAlert message={loadError} />
        ) : (
          <p role="status" className="flex items-center gap-2 text-sm text-muted-foreground">
            <Spinner className="size-4" /> Loading…
          </p>
        )}
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="secondary">Cancel</Button>
          </DialogClose>
        </DialogFooter>
      </div>
    );
  }

  const choices = offered(methods);
  if (choices.length === 0) {
    return (
      <div className="grid gap-4">
        <FormAlert message="This account has nothing to confirm with here (no password, second factor or verified email). Sign out, sign in again, and make the change within 10 minutes." />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="secondary">Cancel</Button>
          </DialogClose>
        </DialogFooter>
      </div>
    );
  }

  function switchTo(next: Method) {
    setMethod(next);
    setValue("");
    setFieldError(null);
    setFormError(null);
    focusInput.current = true;
    if (isSent(next) && !sentTo[next]) void sendCode(next);
  }

  async function sendCode(kind: SentMethod) {
    if (busy) return;
    setBusy("send");
    setFormError(null);
    const result =
      kind === "sms"
        ? await withSession(() => postJson<CodeSent>("/api/auth/reverify/sms/send", {}))
        : await withSession(() => postJson<EmailCodeSent>("/api/auth/reverify/email/send", {}));
    setBusy(null);
    if (result.ok) {
      const hint = "phoneHint" in result.data ? result.data.phoneHint : result.data.emailHint;
      setSentTo((current) => ({ ...current, [kind]: hint }));
      setResendIn(result.data.resendAfter);
      focusInput.current = true;
      return;
    }
    if (result.status === 429) setResendIn(30);
    setFormError(result.formError);
  }

  async function verify(input: string) {
    if (verifying.current) return;
    const problem =
      method === "password"
        ? input
          ? null
          : "Enter your password."
        : method === "backup_code"
          ? looksLikeBackupCode(input)
            ? null
            : "Enter a backup code: 10 letters and numbers, like abcde-23456."
          : isCompleteCode(input)
            ? null
            : "Enter the 6-digit code.";
    if (problem) {
      setFieldError(problem);
      inputRef.current?.focus();
      return;
    }
    verifying.current = true;
    setBusy("verify");
    setFieldError(null);
    setFormError(null);
    const body =
      method === "password"
        ? { method, password: input }
        : { method, code: method === "backup_code" ? normalizeBackupCode(input) : input };
    const result = await withSession(() =>
      postJson<{ verifiedAt: string }>("/api/auth/reverify", body, { fields: ["password", "code"] }),
    );
    verifying.current = false;
    setBusy(null);
    if (result.ok) return onVerified();
    const inline =
      result.fieldErrors.password ?? result.fieldErrors.code ?? (result.status === 410 ? result.formError : null);
    if (inline) {
      setFieldError(inline);
      setValue("");
    } else {
      setFormError(result.formError);
    }
    inputRef.current?.focus();
  }

  /** The user's keys as options, the browser's prompt, then the signed answer (single use, bound to this user's step-up). */
  async function verifyWithKey() {
    if (verifying.current) return;
    verifying.current = true;
    setBusy("verify");
    setFormError(null);
    try {
      const [{ startAuthentication }, started] = await Promise.all([
        import("@simplewebauthn/browser"),
        withSession(() => postJson<{ options: AuthenticationOptions }>("/api/auth/reverify/security-key/options", {})),
      ]);
      if (!started.ok) return setFormError(started.formError);
      let response;
      try {
        response = await startAuthentication({ optionsJSON: started.data.options });
      } catch {
        return setFormError("No security key answered: it was cancelled or timed out. Try again.");
      }
      const result = await withSession(() => postJson<{ verifiedAt: string }>("/api/auth/reverify", { method: "security_key", response }));
      if (result.ok) return onVerified();
      setFormError(result.formError);
    } finally {
      verifying.current = false;
      setBusy(null);
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (method === "security_key") void verifyWithKey();
    else void verify(value);
  }

  const needsSend = isSent(method) && !sentTo[method];
  const onChange = (next: string) => {
    setValue(next);
    setFieldError(null);
  };

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-busy={busy === "verify" || undefined} className="grid gap-3">
      {method === "password" ? (
        <PasswordInput
          ref={inputRef}
          id="reverify-password"
          name="password"
          label="Password"
          autoComplete="current-password"
          autoFocus
          value={value}
          onChange={(event) => onChange(event.target.value)}
          error={fieldError}
        />
      ) : method === "backup_code" ? (
        <TextField
          ref={inputRef}
          id="reverify-backup-code"
          label="Backup code"
          autoComplete="off"
          autoCapitalize="none"
          autoCorrect="off"
          spellCheck={false}
          autoFocus
          placeholder="abcde-23456"
          maxLength={24}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          error={fieldError}
        />
      ) : method === "security_key" ? (
        <p className="text-sm text-muted-foreground">Insert your security key and touch it, or use your device’s screen lock, when your browser asks.</p>
      ) : needsSend ? (
        <p className="text-sm text-muted-foreground">
          {method === "sms" ? `We will text a 6-digit code to ${methods.sms?.phoneHint}.` : `We will email a 6-digit code to ${methods.emailCode?.emailHint}.`}
        </p>
      ) : (
        <div className="grid gap-1">
          <p className="text-sm text-muted-foreground">
            {method === "totp"
              ? "Enter the 6-digit code from your authenticator app."
              : method === "sms"
                ? `Enter the code we texted to ${sentTo.sms}.`
                : `Enter the code we emailed to ${sentTo.email_code}.`}
          </p>
          <CodeField
            ref={inputRef}
            id="reverify-code"
            autoFocus
            readOnly={busy === "verify"}
            value={value}
            onChange={onChange}
            onComplete={(code) => void verify(code)}
            error={fieldError}
          />
        </div>
      )}

      <FormAlert message={formError} />

      {choices.length > 1 || (isSent(method) && !needsSend) ? (
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {isSent(method) && !needsSend ? (
            <li>
              <button
                type="button"
                disabled={resendIn > 0 || busy !== null}
                onClick={() => isSent(method) && void sendCode(method)}
                className="rounded-sm py-1 font-medium text-brand underline-offset-4 hover:underline disabled:text-muted-foreground disabled:no-underline"
              >
                {resendIn > 0 ? `Resend code in ${resendIn} s` : "Resend code"}
              </button>
            </li>
          ) : null}
          {choices
            .filter((choice) => choice !== method)
            .map((choice) => (
              <li key={choice}>
                <button
                  type="button"
                  disabled={busy !== null}
                  onClick={() => switchTo(choice)}
                  className="rounded-sm py-1 font-medium text-brand underline-offset-4 hover:underline disabled:opacity-60"
                >
                  {SWITCH_LABELS[choice]}
                </button>
              </li>
            ))}
        </ul>
      ) : null}

      <DialogFooter>
        <DialogClose asChild>
          <Button variant="secondary">Cancel</Button>
        </DialogClose>
        {needsSend ? (
          <Button variant="primary" loading={busy === "send"} onClick={() => isSent(method) && void sendCode(method)}>
            {method === "sms" ? "Text me a code" : "Email me a code"}
          </Button>
        ) : (
          <Button type="submit" variant="primary" loading={busy === "verify"}>
            Confirm
          </Button>
        )}
      </DialogFooter>
    </form>
  );
}
