import type { ReactNode } from "react";

/**
 * Form-level message. The role="alert" region is always in the DOM (so screen
 * readers reliably announce text inserted into it); it takes no space while
 * empty. `reserve` keeps one line for it where a message must not move what
 * follows (e.g. a button the user is about to press again).
 */
export function FormAlert({ id, message, reserve = false }: { id?: string; message: ReactNode; reserve?: boolean }) {
  return (
    <div id={id} role="alert" className={reserve ? "min-h-[2.375rem]" : undefined}>
      {message ? (
        <div className="flex items-start gap-2 rounded-md border border-destructive/40 bg-destructive-surface px-3 py-2 text-sm leading-5 text-destructive">
          <ErrorIcon className="mt-0.5 size-4 shrink-0" />
          <p>{message}</p>
        </div>
      ) : null}
    </div>
  );
}

/** A neutral notice (not an error), e.g. an impersonation banner. */
export function Notice({ children, tone = "info" }: { children: ReactNode; tone?: "info" | "warning" }) {
  const color = tone === "warning" ? "border-warning/40 text-warning" : "border-border text-muted-foreground";
  return (
    <div className={`flex items-start gap-2 rounded-md border bg-card px-3 py-2 text-sm leading-5 ${color}`}>
      <InfoIcon className="mt-0.5 size-4 shrink-0" />
      <div>{children}</div>
    </div>
  );
}

export function ErrorIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={className}>
      <path
        fillRule="evenodd"
        d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
        clipRule="evenodd"
      />
    </svg>
  );
}

function InfoIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={className}>
      <path
        fillRule="evenodd"
        d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-7-4a1 1 0 1 1-2 0 1 1 0 0 1 2 0ZM9 9a.75.75 0 0 0 0 1.5h.25v3a.75.75 0 0 0 1.5 0v-3.75A.75.75 0 0 0 10 9H9Z"
        clipRule="evenodd"
      />
    </svg>
  );
}
