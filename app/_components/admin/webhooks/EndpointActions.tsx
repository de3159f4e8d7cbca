"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { navigate, withSession } from "../../api";
import { FormAlert } from "../../Alert";
import { Button } from "../../Button";
import { ConfirmDialog } from "../../account/ConfirmDialog";
import { useStepUp } from "../../account/step-up";
import { postEndpointAction, type EndpointStatus } from "./webhooks-api";

type Action = "enable" | "disable" | "delete";

/**
 * On/off and delete (S9). "Re-enable" after the circuit paused the endpoint
 * starts its failure count afresh. Deleting asks first and needs step-up.
 */
export function EndpointActions({ endpoint }: { endpoint: { id: string; url: string; status: EndpointStatus } }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(action: Action) {
    setBusy(action);
    setError(null);
    const call = () => postEndpointAction<{ redirectUrl?: string }>(endpoint.id, action);
    const result = action === "delete" ? await stepUp(call) : await withSession(call);
    if (result?.ok && action === "delete") {
      toast.success("Endpoint deleted.");
      navigate(result.data.redirectUrl ?? "/admin/webhooks");
      return;
    }
    setBusy(null);
    if (!result) return;
    if (!result.ok) {
      setError(result.formError ?? "That did not work.");
      return;
    }
    toast.success(action === "enable" ? "Endpoint enabled." : "Endpoint disabled.");
    router.refresh();
  }

  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap gap-2">
        {endpoint.status === "active" ? (
          <ConfirmDialog
            trigger="Disable"
            title="Disable this endpoint?"
            description="Nothing more is sent to it: new events are not queued for it, and deliveries still waiting fail. Enable it again at any time."
            confirmLabel="Disable"
            loading={busy === "disable"}
            disabled={busy !== null}
            onConfirm={() => run("disable")}
          />
        ) : (
          <Button variant="secondary" loading={busy === "enable"} disabled={busy !== null} onClick={() => run("enable")}>
            {endpoint.status === "paused" ? "Re-enable" : "Enable"}
          </Button>
        )}
        <ConfirmDialog
          trigger="Delete…"
          title="Delete this endpoint?"
          description={`${endpoint.url} receives no more events, and its delivery log is deleted. This cannot be undone.`}
          confirmLabel="Delete endpoint"
          loading={busy === "delete"}
          disabled={busy !== null}
          onConfirm={() => run("delete")}
        />
      </div>
      <FormAlert message={error} />
    </div>
  );
}
