"use client";

import { Check, Copy } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "../../Button";

/**
 * Copies a secret to the clipboard. The outcome is announced in a polite live
 * region; without clipboard access the field beside it stays selectable.
 */
export function CopySecretButton({ value }: { value: string }) {
  const [outcome, setOutcome] = useState<"copied" | "failed" | null>(null);

  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(null), 2_500);
    return () => clearTimeout(timer);
  }, [outcome]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setOutcome("copied");
    } catch {
      setOutcome("failed");
    }
  }

  return (
    <div className="flex items-center gap-3">
      <Button variant="secondary" onClick={() => void copy()}>
        {outcome === "copied" ? <Check aria-hidden="true" className="size-4" /> : <Copy aria-hidden="true" className="size-4" />}
        Copy key
      </Button>
      <span role="status" className="text-sm text-muted-foreground">
        {outcome === "copied" ? "Copied to the clipboard" : outcome === "failed" ? "Could not copy: select the key and copy it" : ""}
      </span>
    </div>
  );
}
