import type { ReactNode } from "react";

type Tone = "neutral" | "brand" | "danger" | "warning" | "success";

const TONES: Record<Tone, string> = {
  neutral: "border-border bg-muted text-muted-foreground",
  brand: "border-brand/30 bg-brand/10 text-foreground",
  danger: "border-destructive/40 bg-destructive-surface text-destructive",
  warning: "border-warning/40 bg-warning/10 text-warning",
  success: "border-success/40 bg-success/10 text-success",
};

/** A small status label (Admin, Banned, Locked, MFA ...). */
export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap ${TONES[tone]}`}>{children}</span>;
}
