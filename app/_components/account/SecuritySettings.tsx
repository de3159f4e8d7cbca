"use client";

import { TriangleAlert } from "lucide-react";
import { useCallback, useState } from "react";
import { postJson, type ApiResult } from "../api";
import { Button } from "../Button";
import { toast } from "../ui/sonner";
import { fetchMfaStatus, type BackupCodes, type MfaStatus, type TotpEnrolment } from "./account-api";
import { BackupCodesPanel } from "./BackupCodesPanel";
import { ConfirmDialog } from "./ConfirmDialog";
import { PasskeysSection } from "./PasskeysSection";
import { PasswordSection } from "./PasswordSection";
import type { PasskeySummary } from "@/lib/passkeys/types";
import { Section, SectionRow, StatusBadge } from "./Section";
import { SecurityKeysSection } from "./SecurityKeysSection";
import type { SecurityKeySummary } from "@/lib/mfa/security-key-types";
import { SmsSection } from "./SmsSection";
import { StepUpProvider, useStepUp } from "./step-up";
import { TotpSetup } from "./TotpSetup";

type Props = {
  initialStatus: MfaStatus;
  hasPassword: boolean;
  /** The primary email (or the user id): names the account in the backup codes file. */
  account: string;
  minScore?: number;
  /** The instance's minimum password length (S3, S8). */
  minLength?: number;
  passkeys: PasskeySummary[];
  /** The instance setting (S8): off hides "Add a passkey"; passkeys already added stay listed to be removed. */
  passkeysEnabled: boolean;
  /** Security keys (second factor only, issue 19). */
  securityKeys: SecurityKeySummary[];
};

/** The client side of /account/security: one step-up prompt and one toast region for every section. */
export function SecuritySettings(props: Props) {
  return (
    <StepUpProvider>
      <SecuritySections {...props} />
    </StepUpProvider>
  );
}

function SecuritySections({ initialStatus, hasPassword, account, minScore, minLength, passkeys, passkeysEnabled, securityKeys }: Props) {
  const [status, setStatus] = useState(initialStatus);
  const [freshCodes, setFreshCodes] = useState<string[] | null>(null);

  const reload = useCallback(async () => {
    const result = await fetchMfaStatus();
    if (result.ok) setStatus(result.data);
  }, []);

  /** After a factor was turned on: its backup codes when it was the first (shown once), and the new state. */
  const factorEnabled = useCallback(
    async (codes: string[] | null) => {
      if (codes) setFreshCodes(codes);
      await reload();
    },
    [reload],
  );

  return (
    <div className="grid grid-cols-1 gap-6">
      {/* With authenticator apps off (S8) and nothing set up, there is nothing to manage here; SMS has its own section. */}
      {status.totp.available || status.enabled || freshCodes ? (
        <TwoStepSection status={status} reload={reload} factorEnabled={factorEnabled} freshCodes={freshCodes} setFreshCodes={setFreshCodes} account={account} />
      ) : null}
      {status.sms.available || status.sms.enabled ? <SmsSection status={status} reload={reload} factorEnabled={factorEnabled} /> : null}
      {status.securityKey.available || status.securityKey.count > 0 ? (
        <SecurityKeysSection status={status} initialKeys={securityKeys} reload={reload} factorEnabled={factorEnabled} />
      ) : null}
      {passkeysEnabled || passkeys.length > 0 ? <PasskeysSection passkeys={passkeys} canAdd={passkeysEnabled} /> : null}
      <PasswordSection hasPassword={hasPassword} account={account} minScore={minScore} minLength={minLength} />
    </div>
  );
}

function TwoStepSection({
  status,
  reload,
  factorEnabled,
  freshCodes,
  setFreshCodes,
  account,
}: {
  status: MfaStatus;
  reload: () => Promise<void>;
  factorEnabled: (codes: string[] | null) => Promise<void>;
  freshCodes: string[] | null;
  setFreshCodes: (codes: string[] | null) => void;
  account: string;
}) {
  const stepUp = useStepUp();
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [busy, setBusy] = useState<"start" | "disable" | "regenerate" | null>(null);
  const [error, setError] = useState<string | null>(null);

  /** Runs a sensitive call through step-up; null when it failed (error shown) or was cancelled. */
  async function run<T>(what: NonNullable<typeof busy>, call: () => Promise<ApiResult<T>>): Promise<T | null> {
    if (busy) return null;
    setBusy(what);
    setError(null);
    const result = await stepUp(call);
    setBusy(null);
    if (!result) return null;
    if (!result.ok) {
      setError(result.formError);
      return null;
    }
    return result.data;
  }

  async function startSetup() {
    const started = await run("start", () => postJson<TotpEnrolment>("/api/account/mfa/totp/start", {}));
    if (started) setEnrolment(started);
  }

  async function turnOff() {
    const done = await run("disable", () => postJson("/api/account/mfa/totp/disable", {}));
    if (!done) return;
    await reload();
    toast.success("Authenticator app removed");
  }

  async function regenerate() {
    const done = await run("regenerate", () => postJson<BackupCodes>("/api/account/mfa/backup-codes", {}));
    if (!done?.backupCodes) return;
    setFreshCodes(done.backupCodes);
    await reload();
    toast.success("New backup codes generated", { description: "Your old codes no longer work." });
  }

  const { remaining, low } = status.backupCodes;
  const lastFactor = status.totp.enabled && !status.sms.enabled && status.securityKey.count === 0;

  return (
    <Section
      id="two-step"
      title="Two-step verification"
      description="After your password or an emailed code, sign-in asks for a second step: a code from your authenticator app, a text message, a security key or a backup code."
      aside={<StatusBadge on={status.enabled} />}
      error={error}
    >
      {status.totp.available || status.totp.enabled || enrolment ? (
        <SectionRow
          title="Authenticator app"
          detail={status.totp.enabled ? "On: sign-in asks for a code from your app." : "Use an app such as 1Password, Google Authenticator or Authy."}
          actions={
            status.totp.enabled ? (
              <ConfirmDialog
                trigger="Turn off"
                title="Remove the authenticator app?"
                description={
                  lastFactor
                    ? "This turns off two-step verification: signing in will only need your password or an emailed code, and your backup codes stop working."
                    : "Sign-in will ask for your other second factor or a backup code instead."
                }
                confirmLabel="Remove app"
                loading={busy === "disable"}
                disabled={busy !== null}
                onConfirm={() => void turnOff()}
              />
            ) : enrolment ? null : (
              <Button variant="primary" loading={busy === "start"} disabled={busy !== null} onClick={() => void startSetup()}>
                Set up
              </Button>
            )
          }
        >
          {enrolment && !status.totp.enabled ? (
            <TotpSetup
              enrolment={enrolment}
              onCancel={() => setEnrolment(null)}
              onEnabled={(codes) => {
                setEnrolment(null);
                toast.success("Authenticator app added", { description: "Sign-in now asks for a code from it." });
                void factorEnabled(codes);
              }}
            />
          ) : null}
        </SectionRow>
      ) : null}

      {status.enabled || freshCodes ? (
        <SectionRow
          title="Backup codes"
          detail={
            low ? (
              <span className="inline-flex items-start gap-1.5 text-warning">
                <TriangleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
                {remaining === 0
                  ? "No backup codes left. Generate new ones so you can still sign in without your phone."
                  : `Only ${remaining} of 10 left. Generate new ones before you run out.`}
              </span>
            ) : (
              `${remaining} of 10 left. Each one works once, if you lose your phone.`
            )
          }
          actions={
            <ConfirmDialog
              trigger="Regenerate"
              title="Generate new backup codes?"
              description="You get 10 new codes; every code you have now stops working at once."
              confirmLabel="Generate new codes"
              loading={busy === "regenerate"}
              disabled={busy !== null}
              onConfirm={() => void regenerate()}
            />
          }
        >
          {freshCodes ? <BackupCodesPanel codes={freshCodes} account={account} onDone={() => setFreshCodes(null)} /> : null}
        </SectionRow>
      ) : null}
    </Section>
  );
}
