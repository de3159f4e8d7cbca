"use client";

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { postJson, type ApiResult } from "../api";
import { FormAlert } from "../Alert";
import { Button } from "../Button";
import { CodeField } from "../CodeField";
import { isCompleteCode } from "../code-input";
import { TextField } from "../TextField";
import { toast } from "../ui/sonner";
import { withSession, type BackupCodes, type CodeSent, type MfaStatus } from "./account-api";
import { ConfirmDialog } from "./ConfirmDialog";
import { Section, SectionRow, StatusBadge } from "./Section";
import { useStepUp } from "./step-up";
import { useCountdown } from "../useCountdown";

/**
 * Codes by text message as a second factor (S6), shown only where the
 * instance turned them on: a number (E.164) gets a code, the code proves it,
 * and only then does sign-in offer "Text me a code".
 */
export function SmsSection({
  status,
  reload,
  factorEnabled,
}: {
  status: MfaStatus;
  reload: () => Promise<void>;
  factorEnabled: (codes: string[] | null) => Promise<void>;
}) {
  const stepUp = useStepUp();
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const enabled = status.sms.enabled;

  async function turnOff() {
    if (busy) return;
    setBusy(true);
    setError(null);
    const result = await stepUp(() => postJson("/api/account/mfa/sms/disable", {}));
    setBusy(false);
    if (!result) return;
    if (!result.ok) return setError(result.formError);
    await reload();
    toast.success("Text-message codes turned off");
  }

  return (
    <Section
      id="sms"
      title="Text-message codes"
      description="Get a 6-digit code by text message when you sign in, if you are without your authenticator app."
      aside={<StatusBadge on={enabled} />}
      error={error}
    >
      <SectionRow
        title="Phone number"
        detail={enabled ? `Codes go to ${status.sms.phoneHint ?? "your phone"}.` : "No phone number set up for codes."}
        actions={
          enabled ? (
            <ConfirmDialog
              trigger="Turn off"
              title="Stop sending codes by text message?"
              description={
                status.totp.enabled || status.securityKey.count > 0
                  ? "Sign-in will ask for your other second factor or a backup code."
                  : "This turns off two-step verification: signing in will only need your password or an emailed code, and your backup codes stop working."
              }
              confirmLabel="Turn off"
              loading={busy}
              disabled={busy}
              onConfirm={() => void turnOff()}
            />
          ) : adding ? null : (
            <Button variant={status.totp.enabled ? "secondary" : "primary"} onClick={() => setAdding(true)} disabled={!status.sms.available}>
              Add a phone
            </Button>
          )
        }
      >
        {adding && !enabled ? (
          <PhoneSetup
            onCancel={() => setAdding(false)}
            onEnabled={(codes) => {
              setAdding(false);
              toast.success("Text-message codes are on");
              void factorEnabled(codes);
            }}
          />
        ) : null}
      </SectionRow>
    </Section>
  );
}

/** Number, then the code it received. Sending needs a recent verification; the code proves the number. */
function PhoneSetup({ onEnabled, onCancel }: { onEnabled: (codes: string[] | null) => void; onCancel: () => void }) {
  const stepUp = useStepUp();
  const [phone, setPhone] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"send" | "confirm" | null>(null);
  const [resendIn, setResendIn] = useCountdown(0);
  const phoneRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const confirming = useRef(false);
  const hintId = useId();


  useEffect(() => {
    if (sentTo) codeRef.current?.focus();
  }, [sentTo]);

  async function send() {
    if (busy) return;
    if (!phone.trim()) {
      setFieldError("Enter your phone number, with the country code (like +1 for the US).");
      phoneRef.current?.focus();
      return;
    }
    setBusy("send");
    setFieldError(null);
    setFormError(null);
    const result = await stepUp(() => postJson<CodeSent>("/api/account/mfa/sms/start", { phone: phone.trim() }, { fields: ["phone"] }));
    setBusy(null);
    if (!result) return;
    if (result.ok) {
      setSentTo(result.data.phoneHint);
      setResendIn(result.data.resendAfter);
      setCode("");
      return;
    }
    showFailure(result, sentTo ? codeRef : phoneRef);
  }

  async function confirm(value: string) {
    if (confirming.current) return;
    if (!isCompleteCode(value)) {
      setFieldError("Enter the 6-digit code from the text message.");
      codeRef.current?.focus();
      return;
    }
    confirming.current = true;
    setBusy("confirm");
    setFieldError(null);
    setFormError(null);
    const result = await withSession(() => postJson<BackupCodes>("/api/account/mfa/sms/confirm", { code: value }, { fields: ["code"] }));
    confirming.current = false;
    setBusy(null);
    if (result.ok) return onEnabled(result.data.backupCodes);
    setCode("");
    showFailure(result, codeRef);
  }

  function showFailure(result: Exclude<ApiResult<unknown>, { ok: true }>, focus: typeof phoneRef) {
    const inline = result.fieldErrors.phone ?? result.fieldErrors.code ?? null;
    setFieldError(inline);
    setFormError(inline ? null : result.formError);
    focus.current?.focus();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sentTo) void confirm(code);
    else void send();
  }

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-busy={busy !== null || undefined} className="mt-4 grid gap-3 rounded-lg border border-border bg-background p-4 sm:max-w-md sm:p-5">
      {sentTo ? (
        <>
          <p id={hintId} className="text-sm text-foreground">
            We sent a 6-digit code to {sentTo}. It works for 10 minutes.
          </p>
          <CodeField
            ref={codeRef}
            id="sms-setup-code"
            value={code}
            readOnly={busy === "confirm"}
            onChange={(value) => {
              setCode(value);
              setFieldError(null);
            }}
            onComplete={(value) => void confirm(value)}
            error={fieldError}
            describedBy={hintId}
          />
        </>
      ) : (
        <TextField
          ref={phoneRef}
          id="sms-phone"
          name="phone"
          type="tel"
          label="Phone number"
          autoComplete="tel"
          inputMode="tel"
          autoFocus
          placeholder="+1 555 010 0123"
          maxLength={32}
          value={phone}
          onChange={(event) => {
            setPhone(event.target.value);
            setFieldError(null);
          }}
          error={fieldError}
          describedBy={hintId}
          below={
            <p id={hintId} className="mt-1.5 text-sm text-muted-foreground">
              With the country code. Message and data rates may apply.
            </p>
          }
        />
      )}
      <FormAlert message={formError} />
      <div className="flex flex-wrap gap-2">
        {sentTo ? (
          <>
            <Button type="submit" variant="primary" loading={busy === "confirm"}>
              Turn on
            </Button>
            <Button variant="secondary" loading={busy === "send"} disabled={resendIn > 0 || busy !== null} onClick={() => void send()}>
              {resendIn > 0 ? `Resend code in ${resendIn} s` : "Resend code"}
            </Button>
          </>
        ) : (
          <Button type="submit" variant="primary" loading={busy === "send"}>
            Send code
          </Button>
        )}
        <Button variant="ghost" disabled={busy !== null} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
