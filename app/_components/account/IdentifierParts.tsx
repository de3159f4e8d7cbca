"use client";

import { useRef, useState, type FormEvent, type ReactNode, type RefObject } from "react";
import { GENERIC_ERROR_MESSAGE, type ApiResult } from "../api";
import { Button } from "../Button";
import { CodeField } from "../CodeField";

/**
 * The parts the email-address and phone-number sections share (S7): a mark on
 * an entry, the form that adds one, and the panel that verifies it with the
 * code we sent. Each section brings its own field, endpoints and wording.
 */

export function Badge({ tone, icon, label }: { tone: "brand" | "success" | "warning"; icon: ReactNode; label: string }) {
  const colors = { brand: "border-brand/50 text-foreground", success: "border-success/40 text-success", warning: "border-warning/40 text-warning" }[tone];
  return (
    <span className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium ${colors}`}>
      {icon}
      {label}
    </span>
  );
}

export type IdentifierFieldProps = {
  ref: RefObject<HTMLInputElement | null>;
  value: string;
  onChange: (value: string) => void;
  error: string | null;
};

/** Adds an address or number: checked for emptiness here, then `send` (through step-up); the server's field error shows on the field. */
export function AddIdentifierForm<Added>({
  field,
  hint,
  emptyMessage,
  isEmpty,
  send,
  onAdded,
  onCancel,
  renderField,
}: {
  /** The request's field name, whose error shows on the input. */
  field: string;
  hint: ReactNode;
  emptyMessage: string;
  isEmpty: (value: string) => boolean;
  /** null: the step-up prompt was cancelled, nothing sent. */
  send: (value: string) => Promise<ApiResult<Added> | null>;
  onAdded: (added: Added) => Promise<void>;
  onCancel: () => void;
  renderField: (props: IdentifierFieldProps) => ReactNode;
}) {
  const [value, setValue] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    if (isEmpty(value)) {
      setFieldError(emptyMessage);
      inputRef.current?.focus();
      return;
    }
    setSubmitting(true);
    setFieldError(null);
    setFormError(null);
    const result = await send(value);
    setSubmitting(false);
    if (!result) return;
    if (result.ok) {
      await onAdded(result.data);
      return;
    }
    setFieldError(result.fieldErrors[field] ?? null);
    setFormError(result.fieldErrors[field] ? null : result.formError);
    inputRef.current?.focus();
  }

  return (
    <form
      noValidate
      onSubmit={onSubmit}
      onKeyDown={(event) => {
        if (event.key === "Escape") onCancel();
      }}
      aria-busy={submitting || undefined}
      className="grid gap-1 px-5 py-4 sm:max-w-md sm:px-6"
    >
      {renderField({
        ref: inputRef,
        value,
        onChange: (next) => {
          setValue(next);
          setFieldError(null);
        },
        error: fieldError ?? formError,
      })}
      <p className="text-sm text-muted-foreground">{hint}</p>
      <div className="mt-3 flex gap-2">
        <Button type="submit" variant="primary" loading={submitting}>
          Add
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/**
 * Verifies an added address or number with the 6-digit code we sent; with
 * `linkOnly` (an email carrying only a link) there is no code to enter, only
 * a resend, and the section notices the verification by itself.
 */
export function VerifyIdentifierPanel({
  id,
  label,
  hint,
  codeSource,
  linkOnly = false,
  verify,
  resendIn,
  resending,
  onResend,
  onCancel,
  onVerified,
}: {
  /** Unique on the page: the code field's id derives from it. */
  id: string;
  /** What is being verified, as shown (the form's name). */
  label: string;
  hint: ReactNode;
  /** Where the code came from, for the error message: "email", "text message". */
  codeSource: string;
  linkOnly?: boolean;
  verify: (code: string) => Promise<ApiResult<unknown>>;
  resendIn: number;
  resending: boolean;
  onResend: () => void;
  onCancel: () => void;
  onVerified: () => Promise<void>;
}) {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const hintId = `${id}-hint`;

  async function submit(value: string) {
    if (checking) return;
    if (!/^\d{6}$/.test(value)) {
      setError(`Enter the 6-digit code from the ${codeSource}.`);
      return;
    }
    setChecking(true);
    setError(null);
    const result = await verify(value);
    setChecking(false);
    if (result.ok) {
      await onVerified();
      return;
    }
    setError(result.fieldErrors.code ?? result.formError ?? GENERIC_ERROR_MESSAGE);
    setCode("");
  }

  return (
    <form
      noValidate
      aria-label={`Verify ${label}`}
      aria-busy={checking || undefined}
      onSubmit={(event) => {
        event.preventDefault();
        void submit(code);
      }}
      className="mt-4 grid gap-3 rounded-lg border border-border bg-muted/30 p-4 sm:max-w-md"
    >
      <p id={hintId} className="text-sm text-muted-foreground">
        {hint}
      </p>
      {linkOnly ? null : (
        <CodeField
          id={`${id}-code`}
          value={code}
          onChange={(value) => {
            setCode(value);
            setError(null);
          }}
          onComplete={(value) => void submit(value)}
          readOnly={checking}
          error={error}
          autoFocus
          describedBy={hintId}
        />
      )}
      <div className="flex flex-wrap gap-2">
        {linkOnly ? null : (
          <Button type="submit" variant="primary" loading={checking}>
            Verify
          </Button>
        )}
        <Button variant="secondary" onClick={onResend} loading={resending} disabled={resendIn > 0}>
          {(linkOnly ? "Resend link" : "Resend code") + (resendIn > 0 ? ` (${resendIn}s)` : "")}
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Later
        </Button>
      </div>
    </form>
  );
}
