"use client";

import { CircleCheck, CircleAlert, Mail, Plus, Star } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { GENERIC_ERROR_MESSAGE, getJson, postJson, type ApiResult } from "../api";
import { Button } from "../Button";
import { TextField } from "../TextField";
import { toast } from "../ui/sonner";
import { useCountdown } from "../useCountdown";
import { withSession } from "./account-api";
import { ConfirmDialog } from "./ConfirmDialog";
import { AddIdentifierForm, Badge, VerifyIdentifierPanel } from "./IdentifierParts";
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
                <VerifyIdentifierPanel
                  id={`verify-${address.id}`}
                  label={address.email}
                  codeSource="email"
                  linkOnly={verificationContents === "link"}
                  hint={
                    <>
                      {verificationContents === "link" ? "Open the link we sent to " : "Enter the code we sent to "}
                      <span className="font-medium text-foreground">{address.email}</span>
                      {verificationContents === "code_and_link"
                        ? ", or open the link in that email."
                        : verificationContents === "link"
                          ? " while signed in here; this page updates by itself."
                          : "."}
                    </>
                  }
                  verify={(code) =>
                    withSession(() => postJson("/api/account/emails/verify", { emailAddressId: address.id, code }, { fields: ["code"] }))
                  }
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
        <AddIdentifierForm
          field="email"
          emptyMessage="Enter an email address."
          isEmpty={(email) => !email.trim()}
          hint={`We’ll email ${verificationContents === "code_and_link" ? "a code and a link" : verificationContents === "code" ? "a code" : "a link"} to confirm it’s yours.`}
          send={(email) =>
            stepUp(() =>
              postJson<{ emailAddress: AccountEmailAddress; resendAfter: number }>("/api/account/emails/add", { email }, { fields: ["email"] }),
            )
          }
          onCancel={() => setAdding(false)}
          onAdded={async ({ emailAddress, resendAfter }) => {
            toast.success(`${verificationContents === "link" ? "Link" : "Code"} sent to ${emailAddress.email}`);
            setAdding(false);
            await reload();
            setVerifying(emailAddress.id);
            setResendIn(resendAfter);
          }}
          renderField={({ ref, value, onChange, error }) => (
            <TextField
              ref={ref}
              id="account-add-email"
              name="email"
              type="email"
              label="New email address"
              autoComplete="email"
              autoFocus
              required
              value={value}
              onChange={(event) => onChange(event.target.value)}
              error={error}
            />
          )}
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
