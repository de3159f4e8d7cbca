"use client";

import { Usb } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import type { SecurityKeySummary } from "@/lib/mfa/security-key-types";
import { GENERIC_ERROR_MESSAGE, postJson, withSession } from "../api";
import { Button } from "../Button";
import { toast } from "../ui/sonner";
import type { MfaStatus } from "./account-api";
import { ConfirmDialog } from "./ConfirmDialog";
import { RenameForm } from "./RenameForm";
import { Section, StatusBadge } from "./Section";
import { useStepUp } from "./step-up";

// Same text on the server and in the browser (no hydration mismatch): one locale, UTC.
const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const formatDate = (iso: string) => dateFormat.format(new Date(iso));
const DEFAULT_NAME = "Security key";

type RegistrationOptions = Parameters<typeof import("@simplewebauthn/browser").startRegistration>[0]["optionsJSON"];

/**
 * Security keys as a second factor (issue 19): a YubiKey or the device's own
 * authenticator, asked for after the password. Adding one goes through the
 * step-up prompt; the first factor turns two-step verification on and brings
 * the backup codes (shown in the two-step section). Not a passkey: it never
 * signs in on its own. @simplewebauthn/browser loads on "Add security key".
 */
export function SecurityKeysSection({
  status,
  initialKeys,
  reload,
  factorEnabled,
}: {
  status: MfaStatus;
  initialKeys: SecurityKeySummary[];
  reload: () => Promise<void>;
  factorEnabled: (codes: string[] | null) => Promise<void>;
}) {
  const stepUp = useStepUp();
  const [keys, setKeys] = useState(initialKeys);
  const [naming, setNaming] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const nameId = useId();
  const otherFactors = status.totp.enabled || status.sms.enabled;

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim() || DEFAULT_NAME;
    setBusy("add");
    setError(null);
    try {
      const [{ startRegistration }, started] = await Promise.all([
        import("@simplewebauthn/browser"),
        stepUp(() => postJson<{ options: RegistrationOptions }>("/api/account/mfa/security-keys/register/options", {})),
      ]);
      if (!started) return;
      if (!started.ok) return setError(started.formError ?? GENERIC_ERROR_MESSAGE);
      let response;
      try {
        response = await startRegistration({ optionsJSON: started.data.options });
      } catch {
        return setError("No security key was added: it was cancelled, timed out, or this key is already added to your account.");
      }
      const saved = await withSession(() =>
        postJson<{ securityKey: SecurityKeySummary; backupCodes: string[] | null }>(
          "/api/account/mfa/security-keys/register/verify",
          { response, name },
          { fields: ["name"] },
        ),
      );
      if (!saved.ok) return setError(saved.fieldErrors.name ?? saved.formError ?? GENERIC_ERROR_MESSAGE);
      setKeys((current) => [...current, saved.data.securityKey]);
      setNaming(false);
      toast.success("Security key added", { description: "Sign-in can now ask for it after your password." });
      await factorEnabled(saved.data.backupCodes);
    } finally {
      setBusy(null);
    }
  }

  async function rename(key: SecurityKeySummary, event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    setBusy(key.id);
    setError(null);
    const result = await withSession(() =>
      postJson<{ securityKey: SecurityKeySummary }>("/api/account/mfa/security-keys/rename", { securityKeyId: key.id, name }, { fields: ["name"] }),
    );
    setBusy(null);
    if (!result.ok) return setError(result.fieldErrors.name ?? result.formError ?? GENERIC_ERROR_MESSAGE);
    setKeys((current) => current.map((entry) => (entry.id === key.id ? result.data.securityKey : entry)));
    setRenaming(null);
  }

  async function remove(key: SecurityKeySummary) {
    setBusy(key.id);
    setError(null);
    const result = await stepUp(() => postJson<{ mfaStillOn: boolean }>("/api/account/mfa/security-keys/remove", { securityKeyId: key.id }));
    setBusy(null);
    if (!result) return;
    if (!result.ok) return setError(result.formError ?? GENERIC_ERROR_MESSAGE);
    setKeys((current) => current.filter((entry) => entry.id !== key.id));
    toast.success("Security key removed");
    await reload();
  }

  const lastFactor = keys.length === 1 && !otherFactors;

  return (
    <Section
      id="security-keys"
      title="Security keys"
      description="A physical key (like a YubiKey) or your device’s built-in authenticator, asked for after your password. It never signs in on its own."
      aside={<StatusBadge on={keys.length > 0} />}
      error={error}
    >
      {keys.length === 0 ? <p className="px-5 py-4 text-sm text-muted-foreground sm:px-6">No security keys yet.</p> : null}
      <ul aria-label="Security keys" className="divide-y divide-border">
        {keys.map((key) => (
          <li key={key.id} className="flex flex-wrap items-center gap-3 px-5 py-4 sm:px-6">
            <Usb aria-hidden="true" className="size-5 shrink-0 text-muted-foreground" />
            {renaming === key.id ? (
              <RenameForm
                inputId={`security-key-name-${key.id}`}
                label="Security key name"
                defaultValue={key.name}
                saving={busy === key.id}
                onSubmit={(event) => void rename(key, event)}
                onCancel={() => setRenaming(null)}
              />
            ) : (
              <>
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium text-foreground">{key.name}</p>
                  <p className="text-sm text-muted-foreground">
                    Added {formatDate(key.createdAt)} · {key.lastUsedAt ? `last used ${formatDate(key.lastUsedAt)}` : "never used"}
                  </p>
                </div>
                <Button type="button" variant="secondary" onClick={() => setRenaming(key.id)} aria-label={`Rename ${key.name}`}>
                  Rename
                </Button>
                <ConfirmDialog
                  trigger="Remove"
                  title={`Remove ${key.name}?`}
                  description={
                    lastFactor
                      ? "This turns off two-step verification: signing in will only need your password or an emailed code, and your backup codes stop working."
                      : "Sign-in will no longer accept this key."
                  }
                  confirmLabel="Remove key"
                  loading={busy === key.id}
                  disabled={busy !== null}
                  onConfirm={() => void remove(key)}
                />
              </>
            )}
          </li>
        ))}
      </ul>
      {status.securityKey.available ? (
        <div className="px-5 py-4 sm:px-6">
          {naming ? (
            <form className="grid gap-2 sm:flex sm:items-end" onSubmit={(event) => void add(event)}>
              <div className="grid min-w-0 flex-1 gap-1">
                <label htmlFor={nameId} className="text-sm font-medium text-foreground">
                  Name
                </label>
                <input
                  id={nameId}
                  name="name"
                  defaultValue={DEFAULT_NAME}
                  maxLength={64}
                  autoFocus
                  className="h-9 min-w-0 rounded-md border border-input bg-background px-3 text-sm text-foreground"
                />
              </div>
              <div className="flex gap-2">
                <Button type="submit" variant="primary" loading={busy === "add"}>
                  Continue
                </Button>
                <Button type="button" variant="secondary" disabled={busy === "add"} onClick={() => setNaming(false)}>
                  Cancel
                </Button>
              </div>
            </form>
          ) : (
            <Button type="button" variant="secondary" disabled={busy !== null} onClick={() => setNaming(true)}>
              Add security key
            </Button>
          )}
        </div>
      ) : null}
    </Section>
  );
}
