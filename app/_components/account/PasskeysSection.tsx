"use client";

import { KeyRound } from "lucide-react";
import { useState, type FormEvent } from "react";
import type { PasskeySummary } from "@/lib/passkeys/types";
import { GENERIC_ERROR_MESSAGE, postJson, withSession } from "../api";
import { Button } from "../Button";
import { toast } from "../ui/sonner";
import { ConfirmDialog } from "./ConfirmDialog";
import { RenameForm } from "./RenameForm";
import { Section } from "./Section";
import { useStepUp } from "./step-up";

// Same text on the server and in the browser (no hydration mismatch): one locale, UTC.
const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
const formatDate = (iso: string) => dateFormat.format(new Date(iso));

/**
 * Passkeys (S7): add one (after a recent verification, through the step-up
 * prompt), list, rename, remove. The server refuses to remove the last way
 * to sign in and says why. @simplewebauthn/browser loads on "Add a passkey".
 */
export function PasskeysSection({ passkeys: initial, canAdd }: { passkeys: PasskeySummary[]; canAdd: boolean }) {
  const stepUp = useStepUp();
  const [passkeys, setPasskeys] = useState(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function add() {
    setBusy("add");
    setError(null);
    try {
      const [{ startRegistration }, started] = await Promise.all([
        import("@simplewebauthn/browser"),
        stepUp(() =>
          postJson<{ options: Parameters<typeof import("@simplewebauthn/browser").startRegistration>[0]["optionsJSON"] }>(
            "/api/account/passkeys/register/options",
            {},
          ),
        ),
      ]);
      if (!started) return;
      if (!started.ok) return setError(started.formError ?? GENERIC_ERROR_MESSAGE);
      let response;
      try {
        response = await startRegistration({ optionsJSON: started.data.options });
      } catch {
        return setError("No passkey was created: it was cancelled, or this device already has one for your account.");
      }
      const saved = await withSession(() => postJson<{ passkey: PasskeySummary }>("/api/account/passkeys/register/verify", { response }));
      if (!saved.ok) return setError(saved.formError ?? GENERIC_ERROR_MESSAGE);
      setPasskeys((current) => [...current, saved.data.passkey]);
      toast.success("Passkey added");
    } finally {
      setBusy(null);
    }
  }

  async function rename(passkey: PasskeySummary, event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    setBusy(passkey.id);
    setError(null);
    const result = await withSession(() => postJson<{ passkey: PasskeySummary }>("/api/account/passkeys/rename", { passkeyId: passkey.id, name }));
    setBusy(null);
    if (!result.ok) return setError(result.fieldErrors.name ?? result.formError ?? GENERIC_ERROR_MESSAGE);
    setPasskeys((current) => current.map((entry) => (entry.id === passkey.id ? result.data.passkey : entry)));
    setRenaming(null);
  }

  async function remove(passkey: PasskeySummary) {
    setBusy(passkey.id);
    setError(null);
    const result = await withSession(() => postJson<{ status: string }>("/api/account/passkeys/remove", { passkeyId: passkey.id }));
    setBusy(null);
    if (!result.ok) return setError(result.formError ?? GENERIC_ERROR_MESSAGE);
    setPasskeys((current) => current.filter((entry) => entry.id !== passkey.id));
    toast.success("Passkey removed");
  }

  return (
    <Section
      id="passkeys"
      title="Passkeys"
      description="Sign in with your fingerprint, face or screen lock instead of a password. A passkey also counts as two-step verification."
      error={error}
    >
      {passkeys.length === 0 ? <p className="px-5 py-4 text-sm text-muted-foreground sm:px-6">No passkeys yet.</p> : null}
      <ul aria-label="Passkeys" className="divide-y divide-border">
        {passkeys.map((passkey) => (
          <li key={passkey.id} className="flex flex-wrap items-center gap-3 px-5 py-4 sm:px-6">
            <KeyRound aria-hidden="true" className="size-5 shrink-0 text-muted-foreground" />
            {renaming === passkey.id ? (
              <RenameForm
                inputId={`passkey-name-${passkey.id}`}
                label="Passkey name"
                defaultValue={passkey.name}
                saving={busy === passkey.id}
                onSubmit={(event) => void rename(passkey, event)}
                onCancel={() => setRenaming(null)}
              />
            ) : (
              <>
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium text-foreground">{passkey.name}</p>
                  <p className="text-sm text-muted-foreground">
                    {passkey.authenticator && passkey.authenticator !== passkey.name ? `${passkey.authenticator} · ` : ""}
                    Added {formatDate(passkey.createdAt)} · {passkey.lastUsedAt ? `last used ${formatDate(passkey.lastUsedAt)}` : "never used"}
                    {passkey.backedUp ? " · synced" : ""}
                  </p>
                </div>
                <Button type="button" variant="secondary" onClick={() => setRenaming(passkey.id)} aria-label={`Rename ${passkey.name}`}>
                  Rename
                </Button>
                <ConfirmDialog
                  trigger="Remove"
                  title={`Remove ${passkey.name}?`}
                  description="You will no longer be able to sign in with this passkey. Also delete it from the device or password manager that holds it."
                  confirmLabel="Remove"
                  loading={busy === passkey.id}
                  onConfirm={() => void remove(passkey)}
                />
              </>
            )}
          </li>
        ))}
      </ul>
      {canAdd ? (
        <div className="px-5 py-4 sm:px-6">
          <Button type="button" variant="secondary" loading={busy === "add"} onClick={() => void add()}>
            Add a passkey
          </Button>
        </div>
      ) : null}
    </Section>
  );
}
