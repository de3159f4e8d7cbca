import type { ReactNode } from "react";

type Tone = "neutral" | "brand" | "danger" | "warning" | "success";

const TONES: Record<Tone, string> = {
  neutral: "border-border bg-muted text-muted-foreground",
  brand: "border-brand/30 bg-brand/10 text-foreground",
  danger: "border-destructive/40 bg-destructive-surface text-destructive",
  // On the card itself: a tinted fill would take these text colours under 4.5:1.
  warning: "border-warning/50 bg-card text-warning",
  success: "border-success/50 bg-card text-success",
};

/** A small status label (Admin, Banned, Locked, MFA ...). */
export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap ${TONES[tone]}`}>{children}</span>;
}
