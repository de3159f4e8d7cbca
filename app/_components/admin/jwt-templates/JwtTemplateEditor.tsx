"use client";

import { useRouter } from "next/navigation";
import { useEffect, useId, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { FIREBASE_RESERVED_CLAIMS, SHORTCODES, checkClaimsText } from "@/lib/jwt-templates/claims";
import type { PresetId, SigningKind } from "@/lib/jwt-templates/presets";
import { FormAlert } from "../../Alert";
import { patchJson, postJson, type ApiResult } from "../../api";
import { Button } from "../../Button";
import { ConfirmDialog } from "../../account/ConfirmDialog";
import { useStepUp } from "../../account/step-up";
import { FieldError, TextField } from "../../TextField";
import { Panel } from "../PageHeader";
import { CopyField } from "../CopyButton";
import { PreviewPanel, type PreviewUser } from "./PreviewPanel";
import { TryTokenPanel } from "./TryTokenPanel";

export type EditorTemplate = {
  id: string | null;
  name: string;
  lifetimeSeconds: number;
  clockSkewSeconds: number;
  claimsText: string;
  signing: { kind: SigningKind; hasSecret: boolean; keyId: string | null; serviceAccountEmail: string | null };
  preset: PresetId | null;
};

export type IntegrationUrls = { issuer: string; jwksUrl: string; discoveryUrl: string };

const FIELDS = [
  "name",
  "lifetimeSeconds",
  "clockSkewSeconds",
  "claims",
  "signing",
  "signing.secret",
  "signing.privateKey",
  "signing.keyId",
  "signing.serviceAccount",
] as const;

const SIGNING_OPTIONS: { kind: SigningKind; label: string; help: string }[] = [
  { kind: "instance", label: "Instance key (ES256)", help: "Signed with this portal's key; services verify it with the JWKS URL." },
  { kind: "hs256", label: "Shared secret (HS256)", help: "A secret you and the service share, e.g. a Supabase project's JWT secret." },
  { kind: "rs256", label: "Your private key (RS256)", help: "An RSA private key you control; give the service its public key." },
  { kind: "firebase", label: "Firebase service account", help: "A Firebase custom token for signInWithCustomToken (at most 1 hour)." },
];

const textareaClass =
  "w-full rounded-md border border-input bg-card p-3 font-mono text-xs text-foreground focus-visible:border-brand focus-visible:outline-2 focus-visible:outline-brand aria-[invalid=true]:border-destructive";

const numberOrNull = (text: string) => (text.trim() === "" ? null : Number(text));

/**
 * A JWT template's editor (S9): name, lifetime, clock skew, how it is signed,
 * the claims (checked as you type, with the same rules as the save), a live
 * preview for a chosen user, and the URLs to paste into the other service.
 * Key material is write-only: the page only knows whether one is stored.
 */
export function JwtTemplateEditor({ template, urls, previewUser }: { template: EditorTemplate; urls: IntegrationUrls; previewUser: PreviewUser }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const [name, setName] = useState(template.name);
  const [lifetime, setLifetime] = useState(String(template.lifetimeSeconds));
  const [skew, setSkew] = useState(String(template.clockSkewSeconds));
  const [claimsText, setClaimsText] = useState(template.claimsText);
  const [kind, setKind] = useState<SigningKind>(template.signing.kind);
  const [secret, setSecret] = useState("");
  const [privateKey, setPrivateKey] = useState("");
  const [keyId, setKeyId] = useState(template.signing.kind === "rs256" ? (template.signing.keyId ?? "") : "");
  const [serviceAccount, setServiceAccount] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverClaimsErrors, setServerClaimsErrors] = useState<string[]>([]);
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const ids = { claims: useId(), claimsHelp: useId(), claimsErrors: useId(), signing: useId() };

  // Stored key material counts only for the kind it was stored for.
  const storedForKind = template.signing.kind === kind && template.signing.hasSecret;
  const check = useMemo(
    () =>
      kind === "firebase"
        ? checkClaimsText(claimsText, { reserved: FIREBASE_RESERVED_CLAIMS, reservedReason: "Firebase refuses it in a custom token's claims" })
        : checkClaimsText(claimsText),
    [claimsText, kind],
  );
  const claimsErrors = check.ok ? serverClaimsErrors : check.errors;

  useEffect(() => setServerClaimsErrors([]), [claimsText, kind]);

  function signingBody() {
    switch (kind) {
      case "instance":
        return { kind };
      case "hs256":
        return { kind, ...(secret ? { secret } : {}) };
      case "rs256":
        return { kind, ...(privateKey ? { privateKey } : {}), keyId: keyId.trim() || null };
      case "firebase":
        return { kind, ...(serviceAccount ? { serviceAccount } : {}) };
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!check.ok) return;
    setSaving(true);
    setErrors({});
    setFormError(null);
    const body = {
      name: name.trim(),
      lifetimeSeconds: numberOrNull(lifetime),
      clockSkewSeconds: numberOrNull(skew),
      claims: claimsText,
      signing: signingBody(),
      ...(template.id ? {} : { preset: template.preset }),
    };
    const result: ApiResult<{ template: { id: string } }> | null = await stepUp(() =>
      template.id
        ? patchJson<{ template: { id: string } }>(`/api/admin/jwt-templates/${encodeURIComponent(template.id)}`, body, { fields: FIELDS })
        : postJson<{ template: { id: string } }>("/api/admin/jwt-templates", body, { fields: FIELDS }),
    );
    setSaving(false);
    if (!result) return;
    if (!result.ok) {
      setErrors(result.fieldErrors);
      setServerClaimsErrors(result.errors.filter((error) => error.field === "claims").map((error) => error.message));
      setFormError(result.formError);
      return;
    }
    setSecret("");
    setPrivateKey("");
    setServiceAccount("");
    toast.success(`Template “${body.name}” saved.`);
    if (template.id) router.refresh();
    else router.push(`/admin/jwt-templates/${result.data.template.id}`);
  }

  async function onDelete() {
    if (!template.id) return;
    setDeleting(true);
    const result = await stepUp(() => postJson(`/api/admin/jwt-templates/${encodeURIComponent(template.id!)}/delete`, {}));
    setDeleting(false);
    if (!result) return;
    if (!result.ok) {
      toast.error(result.formError ?? "Could not delete the template.");
      return;
    }
    toast.success(`Template “${template.name}” deleted.`);
    router.push("/admin/jwt-templates");
  }

  const tokenName = name.trim() || "my-template";
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <Panel id="template-settings" title="Template">
        <form noValidate onSubmit={onSubmit} className="grid gap-2" aria-busy={saving || undefined}>
          <TextField id="template-name" label="Name" value={name} onChange={(event) => setName(event.target.value)} error={errors.name} autoComplete="off" describedBy="template-name-help" />
          <p id="template-name-help" className="-mt-3 pb-3 text-sm text-muted-foreground">
            Apps ask for it by name: <code className="font-mono text-xs">getToken({`{ template: "${tokenName}" }`})</code>
          </p>
          <div className="grid gap-x-4 sm:grid-cols-2">
            <TextField
              id="template-lifetime"
              label="Lifetime (seconds)"
              type="number"
              inputMode="numeric"
              min={30}
              max={kind === "firebase" ? 3600 : 86400}
              value={lifetime}
              onChange={(event) => setLifetime(event.target.value)}
              error={errors.lifetimeSeconds}
              describedBy="template-lifetime-help"
            />
            <TextField
              id="template-skew"
              label="Clock skew allowance (seconds)"
              type="number"
              inputMode="numeric"
              min={0}
              max={60}
              value={skew}
              onChange={(event) => setSkew(event.target.value)}
              error={errors.clockSkewSeconds}
              describedBy="template-skew-help"
            />
          </div>
          <p className="-mt-3 pb-3 text-sm text-muted-foreground">
            <span id="template-lifetime-help">{kind === "firebase" ? "30 seconds to 1 hour for Firebase." : "30 seconds to 24 hours (86400)."}</span>{" "}
            <span id="template-skew-help">The skew allowance backdates nbf for services whose clock runs behind (0 to 60).</span>
          </p>

          <fieldset className="grid gap-2 pb-3" aria-describedby={errors.signing ? ids.signing : undefined}>
            <legend className="mb-1.5 text-sm font-medium text-foreground">Signing</legend>
            {SIGNING_OPTIONS.map((option) => (
              <label key={option.kind} className="flex items-start gap-2 rounded-md border border-border p-3 text-sm has-[:checked]:border-brand">
                <input
                  type="radio"
                  name="signing"
                  value={option.kind}
                  checked={kind === option.kind}
                  onChange={() => setKind(option.kind)}
                  className="mt-0.5 size-4 accent-(--brand-primary)"
                />
                <span>
                  <span className="font-medium">{option.label}</span>
                  <span className="block text-muted-foreground">{option.help}</span>
                </span>
              </label>
            ))}
            <FieldError id={ids.signing} error={errors.signing} />
          </fieldset>

          {kind === "hs256" ? (
            <TextField
              id="template-secret"
              label="HS256 secret"
              type="password"
              value={secret}
              onChange={(event) => setSecret(event.target.value)}
              placeholder={storedForKind ? "Leave empty to keep the stored secret" : "At least 32 bytes"}
              error={errors["signing.secret"]}
              autoComplete="new-password"
            />
          ) : null}
          {kind === "rs256" ? (
            <>
              <SecretTextarea
                id="template-private-key"
                label="RS256 private key (PEM)"
                value={privateKey}
                onChange={setPrivateKey}
                placeholder={storedForKind ? "Leave empty to keep the stored key" : "-----BEGIN PRIVATE KEY-----"}
                error={errors["signing.privateKey"]}
              />
              <TextField id="template-key-id" label="Key id (kid header)" value={keyId} onChange={(event) => setKeyId(event.target.value)} error={errors["signing.keyId"]} autoComplete="off" />
            </>
          ) : null}
          {kind === "firebase" ? (
            <SecretTextarea
              id="template-service-account"
              label="Service account JSON key"
              value={serviceAccount}
              onChange={setServiceAccount}
              placeholder={
                storedForKind
                  ? `Stored: ${template.signing.serviceAccountEmail ?? "a service account"}. Leave empty to keep it.`
                  : '{ "type": "service_account", "private_key": "...", "client_email": "...", ... }'
              }
              error={errors["signing.serviceAccount"]}
              help={
                <>
                  Firebase console → Project settings → Service accounts → Generate new private key. Only its private_key (encrypted), private_key_id and client_email are kept.
                  {storedForKind && template.signing.serviceAccountEmail ? (
                    <>
                      {" "}
                      Signing as <code className="font-mono text-xs">{template.signing.serviceAccountEmail}</code>.
                    </>
                  ) : null}
                </>
              }
            />
          ) : null}

          <div className="grid gap-1.5 pb-3">
            <label htmlFor={ids.claims} className="text-sm font-medium text-foreground">
              Claims (JSON)
            </label>
            <p id={ids.claimsHelp} className="text-sm text-muted-foreground">
              {kind === "firebase"
                ? "Custom claims for Firebase security rules (the token's claims field). "
                : "Merged under iss, sub, sid, iat, nbf and exp, which the portal always sets. "}
              Use shortcodes such as <code className="font-mono text-xs">{"{{user.id}}"}</code>.
            </p>
            <textarea
              id={ids.claims}
              value={claimsText}
              onChange={(event) => setClaimsText(event.target.value)}
              spellCheck={false}
              rows={12}
              aria-invalid={claimsErrors.length > 0 ? true : undefined}
              aria-describedby={`${ids.claimsHelp}${claimsErrors.length > 0 ? ` ${ids.claimsErrors}` : ""}`}
              className={textareaClass}
            />
            {claimsErrors.length > 0 ? (
              <ul id={ids.claimsErrors} className="grid gap-1 text-sm text-destructive" aria-live="polite">
                {claimsErrors.map((error) => (
                  <li key={error}>{error}</li>
                ))}
              </ul>
            ) : null}
            <details className="text-sm">
              <summary className="cursor-pointer font-medium">Shortcodes</summary>
              <dl className="mt-2 grid gap-x-4 gap-y-1 sm:grid-cols-[auto_1fr]">
                {SHORTCODES.map((shortcode) => (
                  <div key={shortcode.code} className="contents">
                    <dt>
                      <code className="font-mono text-xs">{`{{${shortcode.code}}}`}</code>
                    </dt>
                    <dd className="text-muted-foreground">{shortcode.description}</dd>
                  </div>
                ))}
              </dl>
              <p className="mt-2 text-muted-foreground">
                A value that is exactly one shortcode keeps its type (object, list, true/false); inside longer text it becomes text. A missing value is null.
              </p>
            </details>
          </div>

          <FormAlert message={formError} />
          <div className="flex flex-wrap items-center justify-between gap-2">
            <Button type="submit" loading={saving} disabled={!check.ok}>
              {template.id ? "Save changes" : "Create template"}
            </Button>
            {template.id ? (
              <ConfirmDialog
                trigger="Delete template"
                title={`Delete “${template.name}”?`}
                description="Apps asking for this template get an error from now on. Tokens already issued stay valid until they expire."
                confirmLabel="Delete template"
                onConfirm={onDelete}
                loading={deleting}
              />
            ) : null}
          </div>
        </form>
      </Panel>

      <div className="grid content-start gap-6">
        <PreviewPanel
          claimsText={claimsText}
          claimsValid={check.ok}
          signing={kind}
          lifetimeSeconds={numberOrNull(lifetime)}
          clockSkewSeconds={numberOrNull(skew)}
          initialUser={previewUser}
        />
        {template.id ? <TryTokenPanel templateName={template.name} /> : null}
        <ConnectPanel urls={urls} kind={kind} claimsText={claimsText} />
      </div>
    </div>
  );
}

function SecretTextarea({
  id,
  label,
  value,
  onChange,
  placeholder,
  error,
  help,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  error?: string;
  help?: ReactNode;
}) {
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  return (
    <div className="grid gap-1.5 pb-3">
      <label htmlFor={id} className="text-sm font-medium text-foreground">
        {label}
      </label>
      {help ? (
        <p id={helpId} className="text-sm text-muted-foreground">
          {help}
        </p>
      ) : null}
      <textarea
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        rows={6}
        aria-invalid={error ? true : undefined}
        aria-describedby={[help ? helpId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined}
        className={textareaClass}
      />
      <FieldError id={errorId} error={error} />
    </div>
  );
}

/** What to paste into the other service, for the signing chosen. */
function ConnectPanel({ urls, kind, claimsText }: { urls: IntegrationUrls; kind: SigningKind; claimsText: string }) {
  const audience = useMemo(() => {
    try {
      const aud = (JSON.parse(claimsText) as { aud?: unknown }).aud;
      return typeof aud === "string" ? aud : null;
    } catch {
      return null;
    }
  }, [claimsText]);
  return (
    <Panel id="template-connect" title="Connect a service" description="Paste these into the service that verifies the tokens.">
      <div className="grid gap-4">
        <CopyField label="Issuer" value={urls.issuer} description="The iss claim, and the domain for Convex." />
        <CopyField label="JWKS URL" value={urls.jwksUrl} description="Public keys for ES256 tokens (Hasura jwk_url)." />
        <CopyField label="OpenID discovery URL" value={urls.discoveryUrl} />
        {kind === "instance" && audience === "convex" ? (
          <CopyField
            label="Convex auth.config.ts"
            value={`export default { providers: [{ domain: "${urls.issuer}", applicationID: "convex" }] };`}
          />
        ) : null}
        {kind === "instance" && audience !== "convex" ? (
          <CopyField label="Hasura HASURA_GRAPHQL_JWT_SECRET" value={JSON.stringify({ jwk_url: urls.jwksUrl, issuer: urls.issuer })} />
        ) : null}
        {kind === "hs256" ? <p className="text-sm text-muted-foreground">HS256 tokens are verified with the shared secret: nothing else to paste.</p> : null}
        {kind === "rs256" ? <p className="text-sm text-muted-foreground">Give the service the public half of your private key.</p> : null}
        {kind === "firebase" ? (
          <p className="text-sm text-muted-foreground">
            Pass the token to <code className="font-mono text-xs">signInWithCustomToken(auth, token)</code> in the Firebase client SDK.
          </p>
        ) : null}
      </div>
    </Panel>
  );
}
