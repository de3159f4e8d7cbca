"use client";

// Order matters: the nonce stamp must be in place while "sonner" evaluates (see sonner-style-nonce.ts).
import { stopStampingStyleNonce } from "./sonner-style-nonce";
import { Toaster as Sonner } from "sonner";
import type { CSSProperties } from "react";

stopStampingStyleNonce();

export { toast } from "sonner";

/** Sonner's colour variables mapped to the portal's palette (light and dark come from globals.css). */
const PALETTE = {
  "--normal-bg": "var(--card)",
  "--normal-text": "var(--card-foreground)",
  "--normal-border": "var(--border)",
  "--border-radius": "var(--radius)",
} as CSSProperties;

/**
 * The one toast region of the signed-in pages: results of actions ("Backup
 * codes regenerated"). Sonner announces each toast through its own polite
 * live region; the form that started an action still shows its errors inline.
 */
export function Toaster() {
  return (
    <Sonner
      theme="system"
      position="bottom-right"
      closeButton
      style={PALETTE}
      toastOptions={{ classNames: { toast: "font-sans text-sm shadow-lg", description: "text-muted-foreground" } }}
    />
  );
}
