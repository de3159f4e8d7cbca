"use client";

import { ImageUp } from "lucide-react";
import type { ChangeEvent, ReactNode, RefObject } from "react";
import { Button } from "./Button";
import { FieldError } from "./TextField";

/**
 * The controls beside an image preview (a profile picture, the instance
 * logo): what is shown, then either "Save"/"Cancel" for a chosen file or the
 * file input (styled as a button) and the caller's remove control, and the
 * error under them. The caller owns the preview, the upload and the checks.
 */
export function ImageChooser({
  inputRef,
  inputId,
  accept,
  describedBy,
  chosenName,
  status,
  chooseLabel,
  saveLabel,
  saving,
  busy,
  error,
  onChoose,
  onSave,
  onCancel,
  removeControl,
}: {
  inputRef: RefObject<HTMLInputElement | null>;
  inputId: string;
  accept: readonly string[];
  /** Ids of a hint the input is described by, besides its error. */
  describedBy?: string;
  /** The chosen file's name while it awaits saving; null when nothing is chosen. */
  chosenName: string | null;
  /** What is shown when nothing is chosen. */
  status: string;
  chooseLabel: string;
  saveLabel: string;
  saving: boolean;
  busy: boolean;
  error: string | null;
  onChoose: (event: ChangeEvent<HTMLInputElement>) => void;
  onSave: () => void;
  onCancel: () => void;
  /** Shown next to the chooser when there is an image to remove. */
  removeControl?: ReactNode;
}) {
  const errorId = `${inputId}-error`;
  return (
    <div className="grid min-w-0 flex-1 gap-2">
      <p className="text-sm text-muted-foreground" aria-live="polite">
        {chosenName !== null ? (
          <>
            Preview of <span className="font-medium break-all text-foreground">{chosenName}</span>. Save it to use it.
          </>
        ) : (
          status
        )}
      </p>
      <div className="flex flex-wrap gap-2">
        {chosenName !== null ? (
          <>
            <Button onClick={onSave} loading={saving}>
              {saveLabel}
            </Button>
            <Button variant="ghost" disabled={busy} onClick={onCancel}>
              Cancel
            </Button>
          </>
        ) : (
          <>
            {/* The input is the control (focusable, announced with its label); the label looks like a button. */}
            <input
              ref={inputRef}
              id={inputId}
              type="file"
              accept={accept.join(",")}
              className="peer sr-only"
              disabled={busy}
              aria-invalid={error ? true : undefined}
              aria-describedby={[describedBy, error ? errorId : null].filter(Boolean).join(" ") || undefined}
              onChange={onChoose}
            />
            <label
              htmlFor={inputId}
              className="inline-flex h-10 cursor-pointer items-center gap-2 rounded-md border border-border bg-card px-4 text-sm font-semibold text-foreground shadow-xs transition-colors select-none hover:bg-muted peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand peer-disabled:cursor-not-allowed peer-disabled:opacity-70"
            >
              <ImageUp aria-hidden="true" className="size-4" />
              {chooseLabel}
            </label>
            {removeControl}
          </>
        )}
      </div>
      <FieldError id={errorId} error={error} />
    </div>
  );
}
