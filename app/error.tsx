"use client";

import { useEffect } from "react";
import { Button } from "./_components/Button";

/** Route error boundary: a calm message, a retry, and the server digest for support. */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest =
    typeof error === "object" && error !== null && typeof (error as { digest?: unknown }).digest === "string"
      ? (error as { digest: string }).digest
      : null;

  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <main id="main" className="flex min-h-dvh flex-col items-center justify-center px-4 py-16 text-center">
      <div role="alert" className="flex flex-col items-center">
        <span aria-hidden="true" className="inline-flex size-12 items-center justify-center rounded-full bg-destructive-surface text-destructive">
          <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" className="size-6">
            <path d="M12 8v5M12 16.5v.01" />
            <circle cx="12" cy="12" r="9.5" />
          </svg>
        </span>
        <h1 className="mt-5 text-2xl font-semibold tracking-tight text-foreground">Something went wrong</h1>
        <p className="mt-3 max-w-sm text-muted-foreground">
          An unexpected error occurred. Try again, and if it keeps happening, contact your administrator.
        </p>
        {digest ? (
          <p className="mt-2 text-xs text-muted-foreground">
            Reference: <code className="font-mono">{digest}</code>
          </p>
        ) : null}
      </div>
      <div className="mt-8 flex flex-wrap items-center justify-center gap-3">
        <Button variant="primary" onClick={() => retry()}>
          Try again
        </Button>
        <a
          href="/"
          className="inline-flex h-10 items-center justify-center rounded-md border border-border bg-card px-4 text-sm font-semibold text-foreground shadow-xs transition-colors hover:bg-muted"
        >
          Go home
        </a>
      </div>
    </main>
  );
}
