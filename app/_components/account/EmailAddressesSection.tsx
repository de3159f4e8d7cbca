"use client";

import { CircleCheck, CircleAlert, Mail, Plus, Star } from "lucide-react";
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { GENERIC_ERROR_MESSAGE, getJson, postJson, type ApiResult } from "../api";
import { Button } from "../Button";
import { CodeField } from "../CodeField";
import { TextField } from "../TextField";
import { toast } from "../ui/sonner";
import { useCountdown } from "../useCountdown";
import { withSession } from "./account-api";
import { ConfirmDialog } from "./ConfirmDialog";
import { Section } from "./Section";
import { StepUpProvider, useStepUp } from "./step-up";

/** One address as GET /api/account/emails lists it (lib/users/email-addresses.ts). */
export type AccountEmailAddress = { id: string; email: string; verified: boolean; primary: boolean; createdAt: string };

/** While a code is awaited, the list is re-read this often: a link opened in another tab verifies too. */
const POLL_MS = 3_000;

/**
 * Email addresses (S4, S7): the list with primary and verified marks; add an
 * address (step-up when the last verification is over 10 minutes old), then
 * verify it with the emailed code here or the link; make a verified one
 * primary; remove one (the server refuses the primary and the last verified
 * one and says why). Brings its own step-up prompt, so it works on any page.
 */
/** What the verification email carries (S8 `verificationEmailContent`): the panel asks for the code only when there is one. */
export type VerificationContents = "code_and_link" | "code" | "link";

export function EmailAddressesSection(props: { initialEmailAddresses: AccountEmailAddress[]; verificationContents?: VerificationContents }) {
  return (
    <StepUpProvider>
      <EmailAddresses {...props} />
    </StepUpProvider>
  );
}

function EmailAddresses({
  initialEmailAddresses,
  verificationContents = "code_and_link",
}: {
  initialEmailAddresses: AccountEmailAddress[];
  verificationContents?: VerificationContents;
}) {
  const stepUp = useStepUp();
  const [addresses, setAddresses] = useState(initialEmailAddresses);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  /** The address whose code is being entered. */
  const [verifying, setVerifying] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [resendIn, setResendIn] = useCountdown(0);

  const reload = useCallback(async () => {
    const result = await withSession(() => getJson<{ emailAddresses: AccountEmailAddress[] }>("/api/account/emails"));
    if (result.ok) setAddresses(result.data.emailAddresses);
    return result.ok ? result.data.emailAddresses : null;
  }, []);

  // A link confirmed in another tab (or on the confirm page) shows up here by itself.
  useEffect(() => {
    if (!verifying) return;
    const timer = setInterval(async () => {
      const list = await reload();
      const address = list?.find((entry) => entry.id === verifying);
      if (address?.verified) {
        setVerifying(null);
        toast.success(`${address.email} verified`);
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [verifying, reload]);

  const verifiedCount = addresses.filter((address) => address.verified).length;

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

  const makePrimary = (address: AccountEmailAddress) =>
    run(`primary:${address.id}`, () => postJson("/api/account/emails/primary", { emailAddressId: address.id }), async () => {
      await reload();
      toast.success(`${address.email} is now your primary address`);
    });

  const remove = (address: AccountEmailAddress) =>
    run(`remove:${address.id}`, () => postJson("/api/account/emails/remove", { emailAddressId: address.id }), () => {
      setAddresses((current) => current.filter((entry) => entry.id !== address.id));
      if (verifying === address.id) setVerifying(null);
      toast.success(`${address.email} removed`);
    });

  const resend = (address: AccountEmailAddress) =>
    run<{ status: string; resendAfter: number }>(
      `resend:${address.id}`,
      () => postJson("/api/account/emails/resend", { emailAddressId: address.id }),
      async (data) => {
        if (data.status === "already_verified") {
          await reload();
          setVerifying(null);
          return;
        }
        setVerifying(address.id);
        setResendIn(data.resendAfter);
        toast.success(`Code sent to ${address.email}`);
      },
    );

  return (
    <Section
      id="email-addresses"
      title="Email addresses"
      description="Sign in with any verified address. Account email goes to your primary address."
      error={error}
    >
      <ul aria-label="Email addresses" className="divide-y divide-border">
        {addresses.map((address) => {
          const removable = !address.primary && !(address.verified && verifiedCount <= 1);
          return (
            <li key={address.id} className="px-5 py-4 sm:px-6">
              <div className="flex flex-wrap items-center justify-between gap-3">
                <div className="flex min-w-0 items-center gap-3">
                  <Mail aria-hidden="true" className="size-5 shrink-0 text-muted-foreground" />
                  <div className="min-w-0">
                    <p className="truncate text-sm font-medium text-foreground">{address.email}</p>
                    <p className="mt-1 flex flex-wrap gap-1.5">
                      {address.primary ? <Badge tone="brand" icon={<Star aria-hidden="true" className="size-3" />} label="Primary" /> : null}
                      {address.verified ? (
                        <Badge tone="success" icon={<CircleCheck aria-hidden="true" className="size-3" />} label="Verified" />
                      ) : (
                        <Badge tone="warning" icon={<CircleAlert aria-hidden="true" className="size-3" />} label="Unverified" />
                      )}
                    </p>
                  </div>
                </div>
                <div className="flex shrink-0 flex-wrap gap-2">
                  {!address.verified && verifying !== address.id ? (
                    <Button
                      variant="secondary"
                      loading={busy === `resend:${address.id}`}
                      onClick={() => {
                        // The panel opens at once; a fresh code is on its way (or the cooldown says when).
                        setVerifying(address.id);
                        void resend(address);
                      }}
                    >
                      Verify<span className="sr-only"> {address.email}</span>
                    </Button>
                  ) : null}
                  {address.verified && !address.primary ? (
                    <ConfirmDialog
                      trigger={
                        <>
                          Make primary<span className="sr-only"> {address.email}</span>
                        </>
                      }
                      title="Change your primary address?"
                      description={`Account email will go to ${address.email}. We’ll let your current primary address know about the change.`}
                      confirmLabel="Make primary"
                      loading={busy === `primary:${address.id}`}
                      onConfirm={() => makePrimary(address)}
                    />
                  ) : null}
                  {removable ? (
                    <ConfirmDialog
                      trigger={
                        <>
                          Remove<span className="sr-only"> {address.email}</span>
                        </>
                      }
                      title={`Remove ${address.email}?`}
                      description="You will no longer be able to sign in with this address. You can add it again later."
                      confirmLabel="Remove"
                      loading={busy === `remove:${address.id}`}
                      onConfirm={() => remove(address)}
                    />
                  ) : null}
                </div>
              </div>
              {verifying === address.id && !address.verified ? (
                <VerifyPanel
                  address={address}
                  contents={verificationContents}
                  resendIn={resendIn}
                  resending={busy === `resend:${address.id}`}
                  onResend={() => resend(address)}
                  onCancel={() => setVerifying(null)}
                  onVerified={async () => {
                    setVerifying(null);
                    await reload();
                    toast.success(`${address.email} verified`);
                  }}
                />
              ) : null}
            </li>
          );
        })}
      </ul>
      {adding ? (
        <AddEmailForm
          contents={verificationContents}
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
            Add email address
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

function AddEmailForm({
  contents,
  stepUp,
  onAdded,
  onCancel,
}: {
  contents: VerificationContents;
  stepUp: ReturnType<typeof useStepUp>;
  onAdded: (address: AccountEmailAddress, resendAfter: number) => Promise<void>;
  onCancel: () => void;
}) {
  const [email, setEmail] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (!email.trim()) {
      setFieldError("Enter an email address.");
      inputRef.current?.focus();
      return;
    }
    setSubmitting(true);
    setFieldError(null);
    setFormError(null);
    const result = await stepUp(() =>
      postJson<{ emailAddress: AccountEmailAddress; resendAfter: number }>("/api/account/emails/add", { email }, { fields: ["email"] }),
    );
    setSubmitting(false);
    if (!result) return;
    if (result.ok) {
      toast.success(`${contents === "link" ? "Link" : "Code"} sent to ${result.data.emailAddress.email}`);
      await onAdded(result.data.emailAddress, result.data.resendAfter);
      return;
    }
    setFieldError(result.fieldErrors.email ?? null);
    setFormError(result.fieldErrors.email ? null : result.formError);
    inputRef.current?.focus();
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-busy={submitting || undefined} className="grid gap-1 px-5 py-4 sm:max-w-md sm:px-6">
      <TextField
        ref={inputRef}
        id="account-add-email"
        name="email"
        type="email"
        label="New email address"
        autoComplete="email"
        autoFocus
        required
        value={email}
        onChange={(event) => {
          setEmail(event.target.value);
          setFieldError(null);
        }}
        onKeyDown={(event) => {
          if (event.key === "Escape") onCancel();
        }}
        error={fieldError ?? formError}
      />
      <p className="text-sm text-muted-foreground">
        We’ll email {contents === "code_and_link" ? "a code and a link" : contents === "code" ? "a code" : "a link"} to confirm it’s yours.
      </p>
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
  address,
  contents,
  resendIn,
  resending,
  onResend,
  onCancel,
  onVerified,
}: {
  address: AccountEmailAddress;
  contents: VerificationContents;
  resendIn: number;
  resending: boolean;
  onResend: () => void;
  onCancel: () => void;
  onVerified: () => Promise<void>;
}) {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const hintId = `verify-${address.id}-hint`;

  async function submit(value: string) {
    if (checking) return;
    if (!/^\d{6}$/.test(value)) {
      setError("Enter the 6-digit code from the email.");
      return;
    }
    setChecking(true);
    setError(null);
    const result = await withSession(() =>
      postJson<{ status: string }>("/api/account/emails/verify", { emailAddressId: address.id, code: value }, { fields: ["code"] }),
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
      aria-label={`Verify ${address.email}`}
      aria-busy={checking || undefined}
      onSubmit={(event) => {
        event.preventDefault();
        void submit(code);
      }}
      className="mt-4 grid gap-3 rounded-lg border border-border bg-muted/30 p-4 sm:max-w-md"
    >
      <p id={hintId} className="text-sm text-muted-foreground">
        {contents === "link" ? "Open the link we sent to " : "Enter the code we sent to "}
        <span className="font-medium text-foreground">{address.email}</span>
        {contents === "code_and_link" ? ", or open the link in that email." : contents === "link" ? " while signed in here; this page updates by itself." : "."}
      </p>
      {contents === "link" ? null : (
        <CodeField
          id={`verify-code-${address.id}`}
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
      )}
      <div className="flex flex-wrap gap-2">
        {contents === "link" ? null : (
          <Button type="submit" variant="primary" loading={checking}>
            Verify
          </Button>
        )}
        <Button variant="secondary" onClick={onResend} loading={resending} disabled={resendIn > 0}>
          {(contents === "link" ? "Resend link" : "Resend code") + (resendIn > 0 ? ` (${resendIn}s)` : "")}
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Later
        </Button>
      </div>
    </form>
  );
}
