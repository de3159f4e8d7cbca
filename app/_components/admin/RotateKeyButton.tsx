"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { postJson } from "../api";
import { FormAlert } from "../Alert";
import { ConfirmDialog } from "../account/ConfirmDialog";
import { useStepUp } from "../account/step-up";

/** "Rotate key" (S2): asks first, then step-up; the page lists the new key afterwards. */
export function RotateKeyButton() {
  const router = useRouter();
  const stepUp = useStepUp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function rotate() {
    setBusy(true);
    setError(null);
    const result = await stepUp(() => postJson<{ kid: string }>("/api/admin/signing-keys/rotate", {}));
    setBusy(false);
    if (!result) return;
    if (!result.ok) {
      setError(result.formError);
      return;
    }
    toast.success(`New signing key ${result.data.kid} is active.`);
    router.refresh();
  }

  return (
    <div className="grid gap-2">
      <ConfirmDialog
        trigger="Rotate key"
        title="Rotate the signing key?"
        description="New session tokens are signed with a new key. The old public key stays in the JWKS for 24 hours, so tokens it signed keep verifying; apps that fetch the JWKS pick up the new key by themselves."
        confirmLabel="Rotate"
        loading={busy}
        onConfirm={rotate}
      />
      <FormAlert message={error} />
    </div>
  );
}
