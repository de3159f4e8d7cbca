"use client";

import type { ReactNode } from "react";
import { FieldError, TextField } from "../../TextField";
import { Switch } from "../../ui/switch";

/** A labelled on/off setting with its explanation; the explanation describes the switch. */
export function SwitchRow({
  id,
  label,
  description,
  checked,
  onCheckedChange,
  disabled = false,
}: {
  id: string;
  label: string;
  description: ReactNode;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  return (
    <div className="flex items-start justify-between gap-4">
      <div className="min-w-0">
        <label htmlFor={id} className="text-sm font-medium text-foreground">
          {label}
        </label>
        <p id={`${id}-hint`} className="mt-0.5 text-sm text-muted-foreground">
          {description}
        </p>
      </div>
      <Switch id={id} checked={checked} onCheckedChange={onCheckedChange} aria-describedby={`${id}-hint`} disabled={disabled} className="mt-0.5" />
    </div>
  );
}

/** A whole-number setting typed as text (no spinner quirks), checked against its range before saving. */
export function NumberField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  hint: ReactNode;
}) {
  return (
    <TextField
      id={id}
      label={label}
      value={value}
      inputMode="numeric"
      autoComplete="off"
      className="max-w-xs"
      error={error}
      describedBy={`${id}-hint`}
      below={
        <p id={`${id}-hint`} className="mt-1.5 text-sm text-muted-foreground">
          {hint}
        </p>
      }
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

/** The error of a group of controls (not one input), e.g. "keep one sign-in method on". */
export function GroupError({ id, error }: { id: string; error?: string | null }) {
  return <FieldError id={id} error={error} className={error ? "-mt-2" : ""} />;
}

/** A whole number in [min, max] from typed text, or an error message. */
export function parseWholeNumber(text: string, min: number, max: number, unit: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { error: `Enter a whole number of ${unit}.` };
  const value = Number(trimmed);
  if (value < min || value > max) return { error: `Enter ${min} to ${max.toLocaleString("en-US")} ${unit}.` };
  return { value };
}
