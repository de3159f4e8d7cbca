import type { ReactNode } from "react";
import { FormAlert } from "../Alert";

/** One card of the account pages: a named region (h2 + description) and its content. */
export function Section({
  id,
  title,
  description,
  aside,
  error,
  children,
}: {
  id: string;
  title: string;
  description: ReactNode;
  /** Beside the title, e.g. an On/Off badge. */
  aside?: ReactNode;
  /** The section's last failure (an action of one of its rows), announced and shown under the rows. */
  error?: string | null;
  children: ReactNode;
}) {
  const headingId = `${id}-heading`;
  return (
    <section aria-labelledby={headingId} className="rounded-xl border border-border bg-card text-card-foreground shadow-sm">
      <div className="flex items-start justify-between gap-4 border-b border-border px-5 py-4 sm:px-6">
        <div className="min-w-0">
          <h2 id={headingId} className="text-base font-semibold text-foreground">
            {title}
          </h2>
          <p className="mt-0.5 text-sm text-muted-foreground">{description}</p>
        </div>
        {aside}
      </div>
      <div className="divide-y divide-border">{children}</div>
      {/* Always in the DOM, so a message inserted later is announced. */}
      <div className={error ? "border-t border-border px-5 py-4 sm:px-6" : undefined}>
        <FormAlert message={error} />
      </div>
    </section>
  );
}

/** A row inside a Section: what it is, its state, and its actions. */
export function SectionRow({ title, detail, actions, children }: { title: string; detail: ReactNode; actions?: ReactNode; children?: ReactNode }) {
  return (
    <div className="px-5 py-4 sm:px-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <h3 className="text-sm font-medium text-foreground">{title}</h3>
          <div className="mt-0.5 text-sm text-muted-foreground">{detail}</div>
        </div>
        {actions ? <div className="flex shrink-0 flex-wrap gap-2">{actions}</div> : null}
      </div>
      {children}
    </div>
  );
}

/** "On" / "Off" next to a section title: text, not colour alone. */
export function StatusBadge({ on }: { on: boolean }) {
  return (
    <span
      className={`inline-flex shrink-0 items-center gap-1.5 rounded-full border px-2.5 py-0.5 text-xs font-medium ${
        on ? "border-success/40 text-success" : "border-border text-muted-foreground"
      }`}
    >
      <span aria-hidden="true" className={`size-1.5 rounded-full ${on ? "bg-success" : "bg-muted-foreground"}`} />
      {on ? "On" : "Off"}
    </span>
  );
}
