"use client";

import { CircleAlert, CircleCheck, Plus, ShieldCheck, Smartphone, Star } from "lucide-react";
import { useCallback, useRef, useState, type FormEvent, type ReactNode } from "react";
import { GENERIC_ERROR_MESSAGE, getJson, postJson, type ApiResult } from "../api";
import { Button } from "../Button";
import { CodeField } from "../CodeField";
import { formatPhoneForDisplay, PhoneField } from "../PhoneField";
import { toast } from "../ui/sonner";
import { useCountdown } from "../useCountdown";
import { withSession } from "./account-api";
import { ConfirmDialog } from "./ConfirmDialog";
import { Section } from "./Section";
import { StepUpProvider, useStepUp } from "./step-up";

/** One number as GET /api/account/phones lists it (lib/users/phone-numbers.ts). */
export type AccountPhoneNumber = { id: string; phone: string; verified: boolean; primary: boolean; secondFactor: boolean; createdAt: string };

/**
 * Phone numbers (issue 19, S7): the numbers this account signs in with. Add a
 * number (step-up when the last verification is over 10 minutes old), verify
 * it with the texted code, make a verified one primary, remove one (the
 * server refuses the last way in and the SMS second factor's number, and
 * says why). Shown where phone numbers are on, or when the account has any.
 */
export function PhoneNumbersSection(props: { initialPhoneNumbers: AccountPhoneNumber[]; canAdd: boolean }) {
  return (
    <StepUpProvider>
      <PhoneNumbers {...props} />
    </StepUpProvider>
  );
}

function PhoneNumbers({ initialPhoneNumbers, canAdd }: { initialPhoneNumbers: AccountPhoneNumber[]; canAdd: boolean }) {
  const stepUp = useStepUp();
  const [numbers, setNumbers] = useState(initialPhoneNumbers);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  /** The number whose code is being entered. */
  const [verifying, setVerifying] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [resendIn, setResendIn] = useCountdown(0);

  const reload = useCallback(async () => {
    const result = await withSession(() => getJson<{ phoneNumbers: AccountPhoneNumber[] }>("/api/account/phones"));
    if (result.ok) setNumbers(result.data.phoneNumbers);
  }, []);

  async function run<T>(key: string, action: () => Promise<ApiResult<T>>, success: (data: T) => void | Promise<void>) {
    setBusy(key);
    setError(null);
    const result = await withSession(action);
    setBusy(null);
    if (!result.ok) {
      setError(result.formError ?? GENERIC_ERROR_MESSAGE);
      return;
    }
    await success(result.data);
  }

  const shown = (number: AccountPhoneNumber) => formatPhoneForDisplay(number.phone);

  const makePrimary = (number: AccountPhoneNumber) =>
    run(`primary:${number.id}`, () => postJson("/api/account/phones/primary", { phoneNumberId: number.id }), async () => {
      await reload();
      toast.success(`${shown(number)} is now your primary number`);
    });

  const remove = (number: AccountPhoneNumber) =>
    run(`remove:${number.id}`, () => postJson("/api/account/phones/remove", { phoneNumberId: number.id }), async () => {
      if (verifying === number.id) setVerifying(null);
      await reload();
      toast.success(`${shown(number)} removed`);
    });

  const resend = (number: AccountPhoneNumber) =>
    run<{ status: string; resendAfter: number }>(
      `resend:${number.id}`,
      () => postJson("/api/account/phones/resend", { phoneNumberId: number.id }),
      async (data) => {
        if (data.status === "already_verified") {
          await reload();
          setVerifying(null);
          return;
        }
        setVerifying(number.id);
        setResendIn(data.resendAfter);
        toast.success(`Code sent to ${shown(number)}`);
      },
    );

  return (
    <Section
      id="phone-numbers"
      title="Phone numbers"
      description="Sign in with a code texted to any verified number."
      error={error}
    >
      {numbers.length > 0 ? (
        <ul aria-label="Phone numbers" className="divide-y divide-border">
          {numbers.map((number) => (
            <li key={number.id} className="px-5 py-4 sm:px-6">
              <div className="flex flex-wrap items-center justify-between gap-3">
                <div className="flex min-w-0 items-center gap-3">
                  <Smartphone aria-hidden="true" className="size-5 shrink-0 text-muted-foreground" />
                  <div className="min-w-0">
                    <p className="truncate text-sm font-medium text-foreground">{shown(number)}</p>
                    <p className="mt-1 flex flex-wrap gap-1.5">
                      {number.primary ? <Badge tone="brand" icon={<Star aria-hidden="true" className="size-3" />} label="Primary" /> : null}
                      {number.verified ? (
                        <Badge tone="success" icon={<CircleCheck aria-hidden="true" className="size-3" />} label="Verified" />
                      ) : (
                        <Badge tone="warning" icon={<CircleAlert aria-hidden="true" className="size-3" />} label="Unverified" />
                      )}
                      {number.secondFactor ? (
                        <Badge tone="brand" icon={<ShieldCheck aria-hidden="true" className="size-3" />} label="Two-step codes" />
                      ) : null}
                    </p>
                  </div>
                </div>
                <div className="flex shrink-0 flex-wrap gap-2">
                  {!number.verified && verifying !== number.id ? (
                    <Button
                      variant="secondary"
                      loading={busy === `resend:${number.id}`}
                      onClick={() => {
                        setVerifying(number.id);
                        void resend(number);
                      }}
                    >
                      Verify<span className="sr-only"> {shown(number)}</span>
                    </Button>
                  ) : null}
                  {number.verified && !number.primary ? (
                    <Button variant="ghost" loading={busy === `primary:${number.id}`} onClick={() => void makePrimary(number)}>
                      Make primary<span className="sr-only"> {shown(number)}</span>
                    </Button>
                  ) : null}
                  {!number.secondFactor ? (
                    <ConfirmDialog
                      trigger={
                        <>
                          Remove<span className="sr-only"> {shown(number)}</span>
                        </>
                      }
                      title={`Remove ${shown(number)}?`}
                      description="You will no longer be able to sign in with this number. You can add it again later."
                      confirmLabel="Remove"
                      loading={busy === `remove:${number.id}`}
                      onConfirm={() => remove(number)}
                    />
                  ) : null}
                </div>
              </div>
              {verifying === number.id && !number.verified ? (
                <VerifyPanel
                  number={number}
                  label={shown(number)}
                  resendIn={resendIn}
                  resending={busy === `resend:${number.id}`}
                  onResend={() => resend(number)}
                  onCancel={() => setVerifying(null)}
                  onVerified={async () => {
                    setVerifying(null);
                    await reload();
                    toast.success(`${shown(number)} verified`);
                  }}
                />
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="px-5 py-4 text-sm text-muted-foreground sm:px-6">No phone numbers yet.</p>
      )}
      {!canAdd ? null : adding ? (
        <AddPhoneForm
          stepUp={stepUp}
          onCancel={() => setAdding(false)}
          onAdded={async (added, resendAfter) => {
            setAdding(false);
            await reload();
            setVerifying(added.id);
            setResendIn(resendAfter);
          }}
        />
      ) : (
        <div className="px-5 py-4 sm:px-6">
          <Button variant="secondary" onClick={() => setAdding(true)}>
            <Plus aria-hidden="true" className="size-4" />
            Add phone number
          </Button>
        </div>
      )}
    </Section>
  );
}

function Badge({ tone, icon, label }: { tone: "brand" | "success" | "warning"; icon: ReactNode; label: string }) {
  const colors = { brand: "border-brand/50 text-foreground", success: "border-success/40 text-success", warning: "border-warning/40 text-warning" }[tone];
  return (
    <span className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium ${colors}`}>
      {icon}
      {label}
    </span>
  );
}

function AddPhoneForm({
  stepUp,
  onAdded,
  onCancel,
}: {
  stepUp: ReturnType<typeof useStepUp>;
  onAdded: (number: AccountPhoneNumber, resendAfter: number) => Promise<void>;
  onCancel: () => void;
}) {
  const [phone, setPhone] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (phone.replace(/\D/g, "").length < 4) {
      setFieldError("Enter a phone number.");
      inputRef.current?.focus();
      return;
    }
    setSubmitting(true);
    setFieldError(null);
    setFormError(null);
    const result = await stepUp(() =>
      postJson<{ phoneNumber: AccountPhoneNumber; resendAfter: number }>("/api/account/phones/add", { phone }, { fields: ["phone"] }),
    );
    setSubmitting(false);
    if (!result) return;
    if (result.ok) {
      toast.success(`Code sent to ${formatPhoneForDisplay(result.data.phoneNumber.phone)}`);
      await onAdded(result.data.phoneNumber, result.data.resendAfter);
      return;
    }
    setFieldError(result.fieldErrors.phone ?? null);
    setFormError(result.fieldErrors.phone ? null : result.formError);
    inputRef.current?.focus();
  }

  return (
    <form
      noValidate
      onSubmit={onSubmit}
      onKeyDown={(event) => {
        if (event.key === "Escape") onCancel();
      }}
      aria-busy={submitting || undefined}
      className="grid gap-1 px-5 py-4 sm:max-w-md sm:px-6"
    >
      <PhoneField
        ref={inputRef}
        id="account-add-phone"
        label="New phone number"
        autoFocus
        value={phone}
        onChange={(value) => {
          setPhone(value);
          setFieldError(null);
        }}
        error={fieldError ?? formError}
      />
      <p className="text-sm text-muted-foreground">We’ll text a code to confirm it’s yours.</p>
      <div className="mt-3 flex gap-2">
        <Button type="submit" variant="primary" loading={submitting}>
          Add
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function VerifyPanel({
  number,
  label,
  resendIn,
  resending,
  onResend,
  onCancel,
  onVerified,
}: {
  number: AccountPhoneNumber;
  label: string;
  resendIn: number;
  resending: boolean;
  onResend: () => void;
  onCancel: () => void;
  onVerified: () => Promise<void>;
}) {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const hintId = `verify-phone-${number.id}-hint`;

  async function submit(value: string) {
    if (checking) return;
    if (!/^\d{6}$/.test(value)) {
      setError("Enter the 6-digit code from the text message.");
      return;
    }
    setChecking(true);
    setError(null);
    const result = await withSession(() =>
      postJson<{ status: string }>("/api/account/phones/verify", { phoneNumberId: number.id, code: value }, { fields: ["code"] }),
    );
    setChecking(false);
    if (result.ok) {
      await onVerified();
      return;
    }
    setError(result.fieldErrors.code ?? result.formError ?? GENERIC_ERROR_MESSAGE);
    setCode("");
  }

  return (
    <form
      noValidate
      aria-label={`Verify ${label}`}
      aria-busy={checking || undefined}
      onSubmit={(event) => {
        event.preventDefault();
        void submit(code);
      }}
      className="mt-4 grid gap-3 rounded-lg border border-border bg-muted/30 p-4 sm:max-w-md"
    >
      <p id={hintId} className="text-sm text-muted-foreground">
        Enter the code we texted to <span className="font-medium text-foreground">{label}</span>.
      </p>
      <CodeField
        id={`verify-phone-code-${number.id}`}
        value={code}
        onChange={(value) => {
          setCode(value);
          setError(null);
        }}
        onComplete={(value) => void submit(value)}
        readOnly={checking}
        error={error}
        autoFocus
        describedBy={hintId}
      />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" loading={checking}>
          Verify
        </Button>
        <Button variant="secondary" onClick={onResend} loading={resending} disabled={resendIn > 0}>
          {resendIn > 0 ? `Resend code (${resendIn}s)` : "Resend code"}
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Later
        </Button>
      </div>
    </form>
  );
}
