"use client";

import { KeyRound } from "lucide-react";
import { useId, useRef, useState, type FormEvent } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { FormAlert, Notice } from "../../Alert";
import { Button } from "../../Button";
import { TextField } from "../../TextField";
import { ConfirmDialog } from "../../account/ConfirmDialog";
import { useStepUp } from "../../account/step-up";
import { postJson } from "../../api";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "../../ui/dialog";
import { Badge } from "../Badge";
import { formatDateTime } from "../labels";
import { CopyButton } from "../CopyButton";

/** A key as the admin route lists it (dates as ISO strings). */
export type ApiKeyRow = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  status: "active" | "revoked";
};

type Created = { apiKey: ApiKeyRow; secret: string };

/**
 * Backend API secret keys (S9): the list, "Create key" (a dialog that shows
 * the new key once, with a copy button) and revoke (asks first). Creating and
 * revoking are dangerous actions: both go through step-up.
 */
export function ApiKeysPanel({ initial }: { initial: ApiKeyRow[] }) {
  const [keys, setKeys] = useState(initial);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const stepUp = useStepUp();

  async function revoke(key: ApiKeyRow) {
    setRevoking(key.id);
    setListError(null);
    const result = await stepUp(() => postJson<{ apiKey: ApiKeyRow }>(`/api/admin/api-keys/${encodeURIComponent(key.id)}/revoke`, {}));
    setRevoking(null);
    if (!result) return;
    if (!result.ok) return setListError(result.formError);
    setKeys((current) => current.map((row) => (row.id === key.id ? result.data.apiKey : row)));
    toast.success(`Key “${key.name}” revoked`);
  }

  return (
    <div className="grid gap-4">
      <div className="flex justify-end">
        <CreateKeyDialog onCreated={(created) => setKeys((current) => [created.apiKey, ...current])} />
      </div>
      {keys.length === 0 ? (
        <div className="rounded-xl border border-dashed border-border bg-card p-8 text-center">
          <KeyRound aria-hidden="true" className="mx-auto size-6 text-muted-foreground" />
          <p className="mt-2 text-sm text-muted-foreground">No API keys yet. Create one for each backend that calls /api/v1.</p>
        </div>
      ) : (
        <div
          tabIndex={0}
          role="region"
          aria-label="API keys table"
          className="overflow-x-auto rounded-xl border border-border bg-card shadow-sm focus-visible:outline-2 focus-visible:outline-ring"
        >
          <table className="w-full min-w-[40rem] text-left text-sm">
            <caption className="sr-only">API keys, newest first</caption>
            <thead className="border-b border-border text-muted-foreground">
              <tr>
                <th scope="col" className="px-4 py-3 font-medium">Name</th>
                <th scope="col" className="px-4 py-3 font-medium">Key</th>
                <th scope="col" className="px-4 py-3 font-medium">Created</th>
                <th scope="col" className="px-4 py-3 font-medium">Last used</th>
                <th scope="col" className="px-4 py-3 font-medium">Status</th>
                <th scope="col" className="px-4 py-3 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {keys.map((key) => (
                <tr key={key.id}>
                  <td className="max-w-56 truncate px-4 py-3 font-medium text-foreground" title={key.name}>{key.name}</td>
                  <td className="px-4 py-3"><code className="font-mono text-xs">{key.prefix}…</code></td>
                  <td className="px-4 py-3 whitespace-nowrap text-muted-foreground">{formatDateTime(key.createdAt)}</td>
                  <td className="px-4 py-3 whitespace-nowrap text-muted-foreground">{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : "Never"}</td>
                  <td className="px-4 py-3">
                    {key.status === "active" ? <Badge tone="success">Active</Badge> : <Badge>Revoked {formatDateTime(key.revokedAt)}</Badge>}
                  </td>
                  <td className="px-4 py-3 text-right">
                    {key.status === "active" ? (
                      <ConfirmDialog
                        trigger={<span>Revoke<span className="sr-only"> key {key.name}</span></span>}
                        title={`Revoke “${key.name}”?`}
                        description="Requests with this key get 401 from now on. This cannot be undone: make a new key for the backend that used it."
                        confirmLabel="Revoke key"
                        loading={revoking === key.id}
                        disabled={revoking !== null && revoking !== key.id}
                        onConfirm={() => void revoke(key)}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormAlert message={listError} />
    </div>
  );
}

/** "Create key": name -> (step-up) -> the key, shown once. Closing the dialog forgets it. */
function CreateKeyDialog({ onCreated }: { onCreated: (created: Created) => void }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const stepUp = useStepUp();

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      // The key leaves memory with the dialog: it is never shown again.
      setCreated(null);
      setName("");
      setNameError(null);
      setFormError(null);
    }
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setFormError(null);
    if (!name.trim()) {
      setNameError("Give the key a name, e.g. the backend that will use it.");
      return nameRef.current?.focus();
    }
    setNameError(null);
    setBusy(true);
    const result = await stepUp(() => postJson<Created>("/api/admin/api-keys", { name: name.trim() }, { fields: ["name"] }));
    setBusy(false);
    if (!result) return;
    if (!result.ok) {
      setNameError(result.fieldErrors.name ?? null);
      setFormError(result.fieldErrors.name ? null : result.formError);
      return nameRef.current?.focus();
    }
    setCreated(result.data);
    onCreated(result.data);
    toast.success(`Key “${result.data.apiKey.name}” created`);
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button>Create key</Button>
      </DialogTrigger>
      <DialogContent>
        {created ? (
          <>
            <DialogHeader>
              <DialogTitle>Copy your new key</DialogTitle>
              <DialogDescription>Store it in your backend's secrets now.</DialogDescription>
            </DialogHeader>
            <Notice tone="warning">You won't see this key again. If you lose it, revoke it and create a new one.</Notice>
            <div className="grid gap-2">
              <label htmlFor={`${id}-secret`} className="text-sm font-medium text-foreground">
                Secret key for “{created.apiKey.name}”
              </label>
              <input
                id={`${id}-secret`}
                readOnly
                value={created.secret}
                onFocus={(event) => event.currentTarget.select()}
                className="h-10 w-full rounded-md border border-border bg-muted px-3 font-mono text-xs text-foreground"
              />
              <CopyButton value={created.secret} label="key" className="justify-self-start" />
            </div>
            <DialogFooter>
              <Button onClick={() => onOpenChange(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <form onSubmit={onSubmit} noValidate aria-busy={busy || undefined} className="grid gap-3">
            <DialogHeader>
              <DialogTitle>Create an API key</DialogTitle>
              <DialogDescription>A secret key for a backend calling /api/v1. It can do anything the API can: keep it on servers only.</DialogDescription>
            </DialogHeader>
            <TextField
              ref={nameRef}
              id={`${id}-name`}
              label="Name"
              placeholder="Support tool"
              autoComplete="off"
              maxLength={100}
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                setNameError(null);
              }}
              error={nameError}
            />
            <FormAlert message={formError} />
            <DialogFooter>
              <Button variant="secondary" onClick={() => onOpenChange(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Create key
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
