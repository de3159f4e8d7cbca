"use client";

import { OTPInput, REGEXP_ONLY_DIGITS, type SlotProps } from "input-otp";
import type { ClipboardEvent, Ref } from "react";
import { CODE_LENGTH, isCompleteCode, normalizeCode } from "./code-input";
import { FieldError, fieldErrorId } from "./TextField";

export type CodeFieldProps = {
  id?: string;
  value: string;
  onChange: (value: string) => void;
  /** Called once each time the value becomes six digits (typed, pasted or autofilled). */
  onComplete?: (code: string) => void;
  error?: string | null;
  disabled?: boolean;
  /** Keeps focus and value but takes no edits (while the code is being checked). */
  readOnly?: boolean;
  autoFocus?: boolean;
  /** Extra ids for aria-describedby (the error id is added automatically). */
  describedBy?: string;
  ref?: Ref<HTMLInputElement>;
};

/**
 * The "Verification code" field (S4): six visible slots drawn over ONE real
 * input (input-otp), so autofill from the mail/SMS suggestion bar, paste,
 * undo, screen readers and every key binding work as on a plain text field.
 * Typing accepts digits only; a paste goes through `normalizeCode`.
 */
export function CodeField({
  id = "code",
  value,
  onChange,
  onComplete,
  error,
  disabled = false,
  readOnly = false,
  autoFocus,
  describedBy,
  ref,
}: CodeFieldProps) {
  const errorId = fieldErrorId(id);
  const describedByIds = [error ? errorId : null, describedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium text-foreground">
        Verification code
      </label>
      <OTPInput
        ref={ref}
        id={id}
        name="code"
        maxLength={CODE_LENGTH}
        value={value}
        onChange={onChange}
        onComplete={onComplete}
        pattern={REGEXP_ONLY_DIGITS}
        pasteTransformer={normalizeCode}
        onPasteCapture={beforePaste}
        autoComplete="one-time-code"
        inputMode="numeric"
        autoFocus={autoFocus}
        disabled={disabled}
        readOnly={readOnly}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByIds}
        nonce={pageNonce()}
        // Only shown with JavaScript off, and this step needs JavaScript to appear at all.
        noScriptCSSFallback={null}
        containerClassName="mt-1.5"
        render={({ slots }) => (
          // The real input (drawn transparent on top) carries the value for assistive technology.
          <div aria-hidden="true" className="flex items-center gap-2">
            {slots.slice(0, 3).map((slot, index) => (
              <Slot key={index} {...slot} invalid={Boolean(error)} disabled={disabled} />
            ))}
            <span className="h-0.5 w-3 shrink-0 rounded-full bg-input" />
            {slots.slice(3).map((slot, index) => (
              <Slot key={index + 3} {...slot} invalid={Boolean(error)} disabled={disabled} />
            ))}
          </div>
        )}
      />
      {/* Live: after a wrong code focus is already in the field, so moving it there announces nothing. */}
      <div role="alert">
        <FieldError id={errorId} error={error} className="mt-1 min-h-5" />
      </div>
    </div>
  );
}

/** One visible box; `isActive` is input-otp's "the caret or selection is here" (only while focused). */
function Slot({ char, isActive, hasFakeCaret, invalid, disabled }: SlotProps & { invalid: boolean; disabled: boolean }) {
  return (
    <div
      className={[
        "relative flex h-12 min-w-0 flex-1 items-center justify-center rounded-md border bg-card shadow-xs",
        "font-mono text-xl text-foreground tabular-nums transition-[border-color,box-shadow]",
        invalid ? "border-destructive" : isActive ? "border-brand" : "border-input",
        // The focus ring of TextField, on the slot being edited.
        isActive ? `z-10 outline-2 outline-offset-0 ${invalid ? "outline-destructive" : "outline-brand"}` : "",
        disabled ? "opacity-60" : "",
      ].join(" ")}
    >
      {char}
      {hasFakeCaret ? <span className="h-6 w-px bg-foreground motion-safe:animate-pulse" /> : null}
    </div>
  );
}

/**
 * Runs before input-otp's own paste handler, which inserts at the selection
 * and writes the value itself: a whole code pasted into a half-typed field
 * replaces what is there instead of merging with it, and a read-only field
 * (a code being checked) takes no paste.
 */
function beforePaste(event: ClipboardEvent<HTMLInputElement>) {
  const input = event.currentTarget;
  if (input.readOnly) {
    event.preventDefault();
    event.stopPropagation();
  } else if (isCompleteCode(normalizeCode(event.clipboardData.getData("text/plain")))) {
    input.setSelectionRange(0, input.value.length);
  }
}

/**
 * The page's CSP nonce, for the small stylesheet input-otp adds to <head>
 * (production CSP has no 'unsafe-inline'). Next.js stamps it on its scripts;
 * browsers hide the attribute's value but keep it readable as `.nonce`.
 */
function pageNonce(): string | undefined {
  if (typeof document === "undefined") return undefined;
  return document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce || undefined;
}
