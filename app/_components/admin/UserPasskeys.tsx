"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { FormAlert } from "../Alert";
import { ConfirmDialog } from "../account/ConfirmDialog";
import { adminPost, userPath } from "./admin-api";

export type AdminPasskeyRow = { id: string; name: string; createdAt: string; lastUsedAt: string | null; backedUp: boolean };

/** A user's passkeys (S8) with "Remove" each (a lost or cloned authenticator); the server keeps their last way in. */
export function UserPasskeys({ userId, passkeys }: { userId: string; passkeys: AdminPasskeyRow[] }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function remove(passkey: AdminPasskeyRow) {
    setBusy(passkey.id);
    setError(null);
    const result = await adminPost(userPath(userId, "passkeys/remove"), { passkeyId: passkey.id });
    setBusy(null);
    if (!result.ok) return setError(result.formError ?? "That did not work.");
    toast.success("Passkey removed.");
    router.refresh();
  }

  if (passkeys.length === 0) return <p className="text-sm text-muted-foreground">None.</p>;
  return (
    <div className="grid gap-3">
      <ul className="divide-y divide-border" aria-label="Passkeys">
        {passkeys.map((passkey) => (
          <li key={passkey.id} className="flex flex-wrap items-center justify-between gap-3 py-3 first:pt-0">
            <div className="min-w-0 text-sm">
              <p className="font-medium text-foreground">{passkey.name}</p>
              <p className="text-muted-foreground">
                added {passkey.createdAt} · {passkey.lastUsedAt ? `last used ${passkey.lastUsedAt}` : "never used"}
                {passkey.backedUp ? " · synced" : ""}
              </p>
            </div>
            <ConfirmDialog
              trigger="Remove"
              title={`Remove the passkey “${passkey.name}”?`}
              description="The user can no longer sign in with it. Refused if it is their only way to sign in."
              confirmLabel="Remove"
              loading={busy === passkey.id}
              disabled={busy !== null}
              onConfirm={() => void remove(passkey)}
            />
          </li>
        ))}
      </ul>
      <FormAlert message={error} />
    </div>
  );
}
