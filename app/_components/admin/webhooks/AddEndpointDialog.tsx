"use client";

import { Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { Button } from "../../Button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "../../ui/dialog";
import { EndpointForm } from "./EndpointForm";
import { createEndpoint } from "./webhooks-api";

/** "Add endpoint" (S9): URL, description, events; then the new endpoint's page (its secret, a test event). */
export function AddEndpointDialog() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button>
          <Plus aria-hidden="true" className="size-4" />
          Add endpoint
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-xl">
        <DialogHeader>
          <DialogTitle>Add endpoint</DialogTitle>
          <DialogDescription>Events are POSTed to this URL, signed with the endpoint&apos;s secret (Svix-compatible).</DialogDescription>
        </DialogHeader>
        {/* Mounted only while open: each opening starts with an empty form. */}
        {open ? (
          <EndpointForm
            idPrefix="new-endpoint"
            initial={{ url: "", description: "", events: [] }}
            submitLabel="Add endpoint"
            submit={createEndpoint}
            onSaved={({ endpoint }) => {
              toast.success("Endpoint added. Copy its signing secret into your receiver.");
              setOpen(false);
              router.push(`/admin/webhooks/${endpoint.id}`);
            }}
            footer={
              <DialogClose asChild>
                <Button variant="secondary">Cancel</Button>
              </DialogClose>
            }
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
