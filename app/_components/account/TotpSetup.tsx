"use client";

import { Copy, ExternalLink } from "lucide-react";
import { useId, useRef, useState, type FormEvent } from "react";
import { errorCode, postJson } from "../api";
import { FormAlert } from "../Alert";
import { Button } from "../Button";
import { CodeField } from "../CodeField";
import { isCompleteCode } from "../code-input";
import { toast } from "../ui/sonner";
import { withSession, type BackupCodes, type TotpEnrolment } from "./account-api";
import { compactSetupKey, groupSetupKey } from "./setup-key";

/**
 * Adding an authenticator app, after "Set up" fetched a new secret: scan the
 * QR code (an SVG made by the server: no image service sees the secret) or
 * type the setup key, then confirm with a code. Nothing is on until then.
 */
export function TotpSetup({
  enrolment,
  onEnabled,
  onCancel,
}: {
  enrolment: TotpEnrolment;
  /** With the backup codes when this turned two-step verification on (shown once). */
  onEnabled: (backupCodes: string[] | null) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const verifying = useRef(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const hintId = useId();

  async function copyKey() {
    try {
      await navigator.clipboard.writeText(compactSetupKey(enrolment.secret));
      toast.success("Setup key copied");
    } catch {
      toast.error("Could not copy: select the key instead.");
    }
  }

  async function confirm(value: string) {
    if (verifying.current) return;
    if (!isCompleteCode(value)) {
      setFieldError("Enter the 6-digit code from your authenticator app.");
      inputRef.current?.focus();
      return;
    }
    verifying.current = true;
    setBusy(true);
    setFieldError(null);
    setFormError(null);
    const result = await withSession(() =>
      postJson<BackupCodes>("/api/account/mfa/totp/confirm", { factorId: enrolment.factorId, code: value }, { fields: ["code"] }),
    );
    verifying.current = false;
    setBusy(false);
    if (result.ok) return onEnabled(result.data.backupCodes);
    if (result.fieldErrors.code) {
      setFieldError(result.fieldErrors.code);
      setCode("");
      inputRef.current?.focus();
      return;
    }
    setFormError(
      errorCode(result) === "not_found" ? "This setup has expired. Cancel and set up the app again." : result.formError,
    );
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void confirm(code);
  }

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-busy={busy || undefined} className="mt-4 grid gap-5 rounded-lg border border-border bg-background p-4 sm:p-5">
      <div className="grid gap-4 sm:grid-cols-[10rem_1fr] sm:items-start">
        {/* The server's SVG as an image (img-src allows data:): no markup from the network lands in the DOM. */}
        <img
          src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`}
          alt="QR code for your authenticator app"
          width={160}
          height={160}
          className="size-40 rounded-md border border-border bg-white p-1"
        />
        <ol className="grid list-decimal gap-3 pl-5 text-sm text-foreground marker:text-muted-foreground">
          <li>
            Scan the QR code with an authenticator app (1Password, Google Authenticator, Authy, …), or{" "}
            <a
              href={enrolment.uri}
              className="inline-flex items-center gap-1 font-medium text-brand underline-offset-4 hover:underline"
            >
              open it in an app on this device
              <ExternalLink aria-hidden="true" className="size-3.5" />
            </a>
            .
          </li>
          <li>
            Can’t scan it? Enter this setup key:
            <span className="mt-1.5 flex flex-wrap items-center gap-2">
              <code
                data-setup-key=""
                className="rounded-md border border-border bg-card px-2 py-1 font-mono text-sm tracking-wide break-all text-foreground select-all"
              >
                {groupSetupKey(enrolment.secret)}
              </code>
              <Button variant="ghost" className="h-8 px-2" onClick={() => void copyKey()}>
                <Copy aria-hidden="true" className="size-4" />
                Copy key
              </Button>
            </span>
          </li>
          <li id={hintId}>Enter the 6-digit code the app shows.</li>
        </ol>
      </div>
      <div className="-mt-1 sm:max-w-xs">
        <CodeField
          ref={inputRef}
          id="totp-setup-code"
          value={code}
          readOnly={busy}
          onChange={(value) => {
            setCode(value);
            setFieldError(null);
          }}
          onComplete={(value) => void confirm(value)}
          error={fieldError}
          describedBy={hintId}
        />
      </div>
      <FormAlert message={formError} />
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary" loading={busy}>
          Turn on
        </Button>
        <Button variant="secondary" disabled={busy} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
