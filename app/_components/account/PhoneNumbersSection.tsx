"use client";

import { CircleAlert, CircleCheck, Plus, ShieldCheck, Smartphone, Star } from "lucide-react";
import { useCallback, useState } from "react";
import { GENERIC_ERROR_MESSAGE, getJson, postJson, type ApiResult } from "../api";
import { Button } from "../Button";
import { formatPhoneForDisplay, PhoneField } from "../PhoneField";
import { toast } from "../ui/sonner";
import { useCountdown } from "../useCountdown";
import { withSession } from "./account-api";
import { ConfirmDialog } from "./ConfirmDialog";
import { AddIdentifierForm, Badge, VerifyIdentifierPanel } from "./IdentifierParts";
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
                <VerifyIdentifierPanel
                  id={`verify-phone-${number.id}`}
                  label={shown(number)}
                  codeSource="text message"
                  hint={
                    <>
                      Enter the code we texted to <span className="font-medium text-foreground">{shown(number)}</span>.
                    </>
                  }
                  verify={(code) =>
                    withSession(() => postJson("/api/account/phones/verify", { phoneNumberId: number.id, code }, { fields: ["code"] }))
                  }
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
        <AddIdentifierForm
          field="phone"
          emptyMessage="Enter a phone number."
          isEmpty={(phone) => phone.replace(/\D/g, "").length < 4}
          hint="We’ll text a code to confirm it’s yours."
          send={(phone) =>
            stepUp(() =>
              postJson<{ phoneNumber: AccountPhoneNumber; resendAfter: number }>("/api/account/phones/add", { phone }, { fields: ["phone"] }),
            )
          }
          onCancel={() => setAdding(false)}
          onAdded={async ({ phoneNumber, resendAfter }) => {
            toast.success(`Code sent to ${formatPhoneForDisplay(phoneNumber.phone)}`);
            setAdding(false);
            await reload();
            setVerifying(phoneNumber.id);
            setResendIn(resendAfter);
          }}
          renderField={({ ref, value, onChange, error }) => (
            <PhoneField ref={ref} id="account-add-phone" label="New phone number" autoFocus value={value} onChange={onChange} error={error} />
          )}
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
