"use client";

import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { getJson, postJson, withSession } from "../../api";
import { FormAlert } from "../../Alert";
import { Button } from "../../Button";
import { useStepUp } from "../../account/step-up";
import { FieldError, inputClassName, OptionalHint, TextField } from "../../TextField";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "../../ui/dialog";
import { Badge } from "../Badge";

type Provider = {
  id: string;
  name: string;
  preset: boolean;
  source: "settings" | "environment" | "none";
  enabled: boolean;
  clientId: string | null;
  hasClientSecret: boolean;
  issuer: string | null;
  credentials: "client_secret" | "apple_key";
  issuerEditable: boolean;
  teamId: string | null;
  keyId: string | null;
};

const FIELDS = ["id", "name", "clientId", "clientSecret", "issuer", "teamId", "keyId", "privateKey"] as const;

/**
 * OAuth providers (S5, S8): the built-in ones and any OpenID Connect
 * provider, with the callback URL to register at the provider. Secrets are
 * write-only: the page is told only whether one is stored.
 */
export function OAuthProvidersSettings() {
  const [providers, setProviders] = useState<Provider[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Provider | "new" | null>(null);

  const load = useCallback(async () => {
    const result = await withSession(() => getJson<{ providers: Provider[] }>("/api/admin/oauth-providers"));
    if (result.ok) setProviders(result.data.providers);
    else setLoadError(result.formError);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="oauth-providers-heading" className="rounded-xl border border-border bg-card text-card-foreground shadow-sm">
      <div className="flex flex-wrap items-start justify-between gap-3 border-b border-border px-5 py-4">
        <div>
          <h2 id="oauth-providers-heading" className="text-base font-semibold">
            Social and OpenID Connect providers
          </h2>
          <p className="mt-0.5 text-sm text-muted-foreground">Credentials saved here take precedence over the environment. Client secrets are stored encrypted and never shown again.</p>
        </div>
        <Button variant="secondary" onClick={() => setEditing("new")}>
          Add OpenID Connect provider
        </Button>
      </div>
      <div className="px-5 py-4">
        <FormAlert message={loadError} />
        {providers === null && !loadError ? <p className="text-sm text-muted-foreground">Loading providers…</p> : null}
        <ul className="divide-y divide-border">
          {providers?.map((provider) => (
            <li key={provider.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className="min-w-0 text-sm">
                <p className="flex flex-wrap items-center gap-2 font-medium">
                  {provider.name}
                  {provider.source === "none" ? <Badge>Not set up</Badge> : provider.enabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}
                  {provider.source === "environment" ? <Badge>From environment</Badge> : null}
                </p>
                {provider.clientId ? <p className="truncate text-muted-foreground">Client ID {provider.clientId}</p> : null}
              </div>
              <Button variant="secondary" onClick={() => setEditing(provider)} aria-label={`Configure ${provider.name}`}>
                Configure
              </Button>
            </li>
          ))}
        </ul>
      </div>
      {editing ? (
        <ProviderDialog
          provider={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(next) => {
            setProviders(next);
            setEditing(null);
          }}
        />
      ) : null}
    </section>
  );
}

function ProviderDialog({ provider, onClose, onSaved }: { provider: Provider | null; onClose: () => void; onSaved: (providers: Provider[]) => void }) {
  const stepUp = useStepUp();
  const [id, setId] = useState(provider?.id ?? "");
  const [name, setName] = useState(provider && !provider.preset ? provider.name : "");
  const [clientId, setClientId] = useState(provider?.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [issuer, setIssuer] = useState(provider?.issuer ?? "");
  const [teamId, setTeamId] = useState(provider?.teamId ?? "");
  const [keyId, setKeyId] = useState(provider?.keyId ?? "");
  const [privateKey, setPrivateKey] = useState("");
  const [enabled, setEnabled] = useState(provider ? provider.enabled || provider.source === "none" : true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const enabledId = useId();
  const privateKeyId = useId();
  const generic = !provider?.preset;
  const apple = provider?.credentials === "apple_key";
  // Generic providers need an issuer; a self-managed GitLab may set one (empty: gitlab.com).
  const issuerShown = generic || Boolean(provider?.issuerEditable);
  const callbackUrl = typeof window === "undefined" || !id ? null : `${window.location.origin}/api/auth/oauth/${id}/callback`;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaving(true);
    setErrors({});
    setFormError(null);
    const body = {
      id: id.trim(),
      enabled,
      clientId,
      ...(apple ? { teamId: teamId.trim(), keyId: keyId.trim(), ...(privateKey.trim() ? { privateKey } : {}) } : clientSecret ? { clientSecret } : {}),
      ...(issuerShown ? { issuer: issuer.trim() || undefined } : {}),
      ...(generic ? { name: name.trim() || undefined } : {}),
    };
    const result = await stepUp(() => postJson<{ providers: Provider[] }>("/api/admin/oauth-providers", body, { fields: FIELDS }));
    setSaving(false);
    if (!result) return;
    if (!result.ok) {
      setErrors(result.fieldErrors);
      setFormError(result.formError);
      return;
    }
    toast.success(`${provider?.name ?? (name || id)} saved.`);
    onSaved(result.data.providers);
  }

  return (
    <Dialog open onOpenChange={(open) => !open && !saving && onClose()}>
      <DialogContent>
        <DialogTitle className="text-lg font-semibold">{provider ? `Configure ${provider.name}` : "Add an OpenID Connect provider"}</DialogTitle>
        <DialogDescription className="text-sm text-muted-foreground">
          {apple
            ? "In your Apple developer account, add the callback URL below as a return URL of a Services ID with Sign in with Apple, and create a key for it; then enter the IDs and paste the key."
            : "Register the callback URL below at the provider, then paste the client ID and secret it gives you."}
        </DialogDescription>
        <form noValidate onSubmit={onSubmit} className="grid gap-3" aria-busy={saving || undefined}>
          {provider ? null : (
            <TextField id="oauth-id" label="Provider id" value={id} onChange={(event) => setId(event.target.value.toLowerCase())} placeholder="okta" error={errors.id} autoComplete="off" />
          )}
          {generic ? (
            <TextField id="oauth-name" label="Button name" value={name} onChange={(event) => setName(event.target.value)} placeholder="Okta" error={errors.name} autoComplete="off" />
          ) : null}
          {issuerShown ? (
            <TextField
              id="oauth-issuer"
              label={generic ? "Issuer URL" : "Instance URL"}
              labelAside={generic ? null : <OptionalHint />}
              type="url"
              value={issuer}
              onChange={(event) => setIssuer(event.target.value)}
              placeholder={generic ? "https://login.example.com" : "https://gitlab.com"}
              error={errors.issuer}
              autoComplete="off"
            />
          ) : null}
          {callbackUrl ? (
            <div className="grid gap-1 text-sm">
              <span className="font-medium">Callback URL</span>
              <code className="rounded-md border border-border bg-muted px-2 py-1.5 font-mono text-xs break-all">{callbackUrl}</code>
            </div>
          ) : null}
          <TextField
            id="oauth-client-id"
            label={apple ? "Services ID" : "Client ID"}
            value={clientId}
            onChange={(event) => setClientId(event.target.value)}
            placeholder={apple ? "com.example.signin" : undefined}
            error={errors.clientId}
            autoComplete="off"
          />
          {apple ? (
            <>
              <div className="grid gap-x-3 sm:grid-cols-2">
                <TextField id="oauth-team-id" label="Team ID" value={teamId} onChange={(event) => setTeamId(event.target.value.toUpperCase())} placeholder="A1B2C3D4E5" error={errors.teamId} autoComplete="off" spellCheck={false} />
                <TextField id="oauth-key-id" label="Key ID" value={keyId} onChange={(event) => setKeyId(event.target.value.toUpperCase())} placeholder="F6G7H8I9J0" error={errors.keyId} autoComplete="off" spellCheck={false} />
              </div>
              <div className="pb-3">
                <label htmlFor={privateKeyId} className="text-sm font-medium text-foreground">
                  Private key (.p8)
                </label>
                <textarea
                  id={privateKeyId}
                  value={privateKey}
                  rows={5}
                  spellCheck={false}
                  autoCapitalize="none"
                  autoComplete="off"
                  placeholder={provider?.hasClientSecret ? "Leave empty to keep the stored key" : "-----BEGIN PRIVATE KEY-----"}
                  onChange={(event) => setPrivateKey(event.target.value)}
                  aria-invalid={errors.privateKey ? true : undefined}
                  aria-describedby={`${privateKeyId}-hint${errors.privateKey ? ` ${privateKeyId}-error` : ""}`}
                  className={`${inputClassName} mt-1.5 min-h-28 py-2 font-mono`}
                />
                <p id={`${privateKeyId}-hint`} className="mt-1.5 text-sm text-muted-foreground">
                  The whole file Apple let you download once. It is stored encrypted and signs a short-lived client secret for each sign-in.
                </p>
                <FieldError id={`${privateKeyId}-error`} error={errors.privateKey} className={errors.privateKey ? "mt-1.5" : ""} />
              </div>
            </>
          ) : (
            <TextField
              id="oauth-client-secret"
              label="Client secret"
              type="password"
              value={clientSecret}
              onChange={(event) => setClientSecret(event.target.value)}
              placeholder={provider?.hasClientSecret ? "Leave empty to keep the stored secret" : ""}
              error={errors.clientSecret}
              autoComplete="new-password"
            />
          )}
          <label htmlFor={enabledId} className="flex items-center gap-2 text-sm font-medium">
            <input id={enabledId} type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} className="size-4 accent-(--brand-primary)" />
            Show on the sign-in page
          </label>
          <FormAlert message={formError} />
          <div className="flex justify-end gap-2">
            <Button variant="ghost" disabled={saving} onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              Save provider
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
