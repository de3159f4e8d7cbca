"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { Button } from "../Button";

/** Copies `value` to the clipboard; `label` names what (the button reads "Copy <label>" to screen readers). */
export function CopyButton({ value, label, className }: { value: string; label: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      toast.success(`${label[0]!.toUpperCase()}${label.slice(1)} copied`);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // No clipboard access (insecure origin, denied permission): the value stays on screen to select.
      toast.error("Could not copy: select the text and copy it yourself.");
    }
  }
  return (
    <Button variant="secondary" onClick={copy} aria-label={`Copy ${label}`} className={`h-8 px-2.5 ${className ?? ""}`}>
      {copied ? <Check aria-hidden className="size-4" /> : <Copy aria-hidden className="size-4" />}
      Copy
    </Button>
  );
}

/** A read-only value (a URL, a key id) with a label and a copy button. */
export function CopyField({ label, value, description }: { label: string; value: string; description?: string }) {
  return (
    <div className="grid gap-1 text-sm">
      <span className="font-medium">{label}</span>
      {description ? <span className="text-muted-foreground">{description}</span> : null}
      <div className="flex items-center gap-2">
        <code className="min-w-0 flex-1 rounded-md border border-border bg-muted px-2 py-1.5 font-mono text-xs break-all">{value}</code>
        <CopyButton value={value} label={label.toLowerCase()} />
      </div>
    </div>
  );
}
