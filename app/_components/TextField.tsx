import type { InputHTMLAttributes, ReactNode, Ref } from "react";
import { ErrorIcon } from "./Alert";

export const inputClassName = [
  "block h-10 w-full rounded-md border border-input bg-card px-3 text-base text-foreground shadow-xs sm:text-sm",
  "placeholder:text-muted-foreground/80 transition-[border-color,box-shadow]",
  "focus-visible:border-brand focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-brand",
  "aria-[invalid=true]:border-destructive aria-[invalid=true]:focus-visible:outline-destructive",
  "disabled:cursor-not-allowed disabled:opacity-60",
].join(" ");

export type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id"> & {
  id: string;
  label: string;
  ref?: Ref<HTMLInputElement>;
  /** Inline field error, shown under the input (no space is kept for it while there is none). */
  error?: string | null;
  /** Shown on the label row, outside the <label> so it never joins the accessible name (e.g. "Optional"). */
  labelAside?: ReactNode;
  /** Rendered inside the input box on the right (e.g. a show/hide toggle). */
  trailing?: ReactNode;
  /** Rendered between the input and its error line (e.g. a strength meter). */
  below?: ReactNode;
  /** Extra ids for aria-describedby (the error id is added automatically). */
  describedBy?: string;
  /**
   * Render the error line (default). Set false when the caller shows
   * the error itself, in an element with id `fieldErrorId(id)`.
   */
  errorLine?: boolean;
};

export const fieldErrorId = (id: string) => `${id}-error`;

export function TextField({
  id,
  label,
  error,
  labelAside,
  trailing,
  below,
  describedBy,
  errorLine = true,
  className = "",
  ref,
  ...input
}: TextFieldProps) {
  const errorId = fieldErrorId(id);
  const describedByIds = [error ? errorId : null, describedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`pb-3 ${className}`}>
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={id} className="text-sm font-medium text-foreground">
          {label}
        </label>
        {labelAside}
      </div>
      <div className="relative mt-1.5">
        <input
          {...input}
          ref={ref}
          id={id}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedByIds}
          className={`${inputClassName} ${trailing ? "pr-11" : ""}`}
        />
        {trailing}
      </div>
      {below}
      {errorLine ? <FieldError id={errorId} error={error} className={error ? "mt-1.5" : ""} /> : null}
    </div>
  );
}

/** "Optional" marker for the label row. */
export function OptionalHint() {
  return <span className="text-xs text-muted-foreground">Optional</span>;
}

/** An inline field error line: icon plus text, in the destructive colour. */
export function FieldError({ id, error, className = "" }: { id: string; error?: string | null; className?: string }) {
  return (
    <p id={id} className={`flex items-start gap-1.5 text-sm leading-5 text-destructive ${className}`}>
      {error ? (
        <>
          <ErrorIcon className="mt-0.5 size-4 shrink-0" />
          <span>{error}</span>
        </>
      ) : null}
    </p>
  );
}
