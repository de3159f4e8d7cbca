"use client";

import type { FormEvent } from "react";
import { Button } from "../Button";

/**
 * Renaming an entry in place (a passkey, a security key): one labelled field
 * (`name` in the submitted form) with Save and Cancel, in the row it names.
 */
export function RenameForm({
  inputId,
  label,
  defaultValue,
  saving,
  onSubmit,
  onCancel,
}: {
  inputId: string;
  /** The field's (visually hidden) label, e.g. "Passkey name". */
  label: string;
  defaultValue: string;
  saving: boolean;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  onCancel: () => void;
}) {
  return (
    <form className="flex min-w-0 flex-1 items-center gap-2" onSubmit={onSubmit}>
      <label htmlFor={inputId} className="sr-only">
        {label}
      </label>
      <input
        id={inputId}
        name="name"
        defaultValue={defaultValue}
        maxLength={64}
        required
        autoFocus
        className="h-9 min-w-0 flex-1 rounded-md border border-input bg-background px-3 text-sm text-foreground"
      />
      <Button type="submit" variant="primary" loading={saving}>
        Save
      </Button>
      <Button type="button" variant="secondary" onClick={onCancel}>
        Cancel
      </Button>
    </form>
  );
}
