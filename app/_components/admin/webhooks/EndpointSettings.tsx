"use client";

import { useRouter } from "next/navigation";
import { toast } from "@/app/_components/ui/sonner";
import { EndpointForm } from "./EndpointForm";
import { updateEndpoint, type EndpointFormValues } from "./webhooks-api";

/** The endpoint page's edit form (S9): URL, description, event filter. */
export function EndpointSettings({ endpointId, initial }: { endpointId: string; initial: EndpointFormValues }) {
  const router = useRouter();
  return (
    <EndpointForm
      idPrefix="endpoint"
      initial={initial}
      submitLabel="Save changes"
      submit={(values) => updateEndpoint(endpointId, values)}
      onSaved={() => {
        toast.success("Endpoint saved.");
        router.refresh();
      }}
    />
  );
}
