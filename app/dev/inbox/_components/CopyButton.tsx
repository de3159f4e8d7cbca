"use client";

import { useEffect, useState } from "react";

/**
 * Copies `value` to the clipboard. The button's name stays "Copy <what>"; the
 * outcome shows beside it in a polite live region, so screen readers hear it too.
 */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [outcome, setOutcome] = useState<"copied" | "failed" | null>(null);

  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(null), 2_000);
    return () => clearTimeout(timer);
  }, [outcome]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setOutcome("copied");
    } catch {
      // No clipboard access (an insecure origin, a denied permission): the text is still selectable.
      setOutcome("failed");
    }
  }

  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={copy}
        className="inline-flex h-8 items-center gap-1.5 rounded-md border border-border bg-card px-2.5 text-xs font-medium text-foreground shadow-xs transition-colors hover:bg-muted"
      >
        <CopyIcon className="size-3.5" />
        Copy<span className="sr-only"> {what}</span>
      </button>
      <span role="status" className="text-xs text-muted-foreground">
        {outcome === "copied" ? "Copied" : outcome === "failed" ? "Could not copy: select it instead" : ""}
      </span>
    </span>
  );
}

function CopyIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.5" className={className}>
      <rect x="7" y="7" width="10" height="10" rx="2" />
      <path d="M13 7V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v6a2 2 0 0 0 2 2h2" />
    </svg>
  );
}
