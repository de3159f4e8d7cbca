"use client";

import { Eye, EyeOff, RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { FormAlert } from "../../Alert";
import { Button } from "../../Button";
import { ConfirmDialog } from "../../account/ConfirmDialog";
import { useStepUp } from "../../account/step-up";
import { CopyButton } from "../CopyButton";
import { postEndpointAction } from "./webhooks-api";

/**
 * The endpoint's signing secret (S9): hidden until "Reveal" (step-up);
 * "Rotate" makes a new one (asks first, step-up) while the old one keeps
 * signing for 24 hours, so the receiver can switch without missing a delivery.
 */
export function SigningSecret({ endpointId, previousSecretUntil }: { endpointId: string; previousSecretUntil: string | null }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const [secret, setSecret] = useState<string | null>(null);
  const [busy, setBusy] = useState<"reveal" | "rotate" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function reveal() {
    setBusy("reveal");
    setError(null);
    const result = await stepUp(() => postEndpointAction<{ secret: string }>(endpointId, "secret"));
    setBusy(null);
    if (!result) return;
    if (!result.ok) return setError(result.formError ?? "The secret could not be read.");
    setSecret(result.data.secret);
  }

  async function rotate() {
    setBusy("rotate");
    setError(null);
    const result = await stepUp(() => postEndpointAction<{ secret: string }>(endpointId, "secret/rotate"));
    setBusy(null);
    if (!result) return;
    if (!result.ok) return setError(result.formError ?? "The secret could not be rotated.");
    setSecret(result.data.secret);
    toast.success("New signing secret made. The old one keeps signing for 24 hours.");
    router.refresh();
  }

  return (
    <div className="grid gap-3 text-sm">
      <p className="text-muted-foreground">
        Receivers verify each delivery with this secret, e.g. <code className="font-mono text-xs">new Webhook(secret).verify(body, headers)</code> from the{" "}
        <code className="font-mono text-xs">svix</code> package.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="webhook-secret" className="min-w-0 flex-1 rounded-md border border-border bg-muted px-2 py-1.5 font-mono text-xs break-all">
          {secret ?? (
            <>
              <span aria-hidden="true">whsec_••••••••••••••••••••••••••••••••</span>
              <span className="sr-only">Hidden</span>
            </>
          )}
        </code>
        {secret ? (
          <>
            <CopyButton value={secret} label="signing secret" />
            <Button variant="secondary" className="h-8 px-2.5" onClick={() => setSecret(null)}>
              <EyeOff aria-hidden="true" className="size-4" />
              Hide
            </Button>
          </>
        ) : (
          <Button variant="secondary" className="h-8 px-2.5" loading={busy === "reveal"} disabled={busy !== null} onClick={reveal}>
            <Eye aria-hidden="true" className="size-4" />
            Reveal
          </Button>
        )}
      </div>
      {previousSecretUntil ? <p className="text-muted-foreground">The previous secret also signs deliveries until {previousSecretUntil}.</p> : null}
      <div>
        <ConfirmDialog
          trigger={
            <>
              <RefreshCw aria-hidden="true" className="size-4" />
              Rotate secret
            </>
          }
          title="Rotate the signing secret?"
          description="A new secret signs every delivery from now on. For 24 hours the old one signs too (both signatures are sent), so update your receiver within a day."
          confirmLabel="Rotate"
          loading={busy === "rotate"}
          disabled={busy !== null}
          onConfirm={rotate}
        />
      </div>
      <FormAlert message={error} />
    </div>
  );
}
