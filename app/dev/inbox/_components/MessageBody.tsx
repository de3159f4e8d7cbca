"use client";

import { useState } from "react";

type View = "html" | "text";

/**
 * One email's body, collapsible, as HTML or text. The HTML is framed from its
 * own route (app/dev/inbox/[id]/html, under a CSP for email HTML) in a sandbox:
 * no scripts, an opaque origin, no top navigation; links open a new tab.
 * State is per message and survives the page's live refreshes (keyed by id).
 */
export function MessageBody({
  id,
  subject,
  hasHtml,
  text,
  initiallyOpen,
}: {
  id: string;
  subject: string;
  hasHtml: boolean;
  text: string | null;
  initiallyOpen: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const [view, setView] = useState<View>(hasHtml ? "html" : "text");

  if (!hasHtml && !text) {
    return (
      <p className="border-t border-border px-4 py-3 text-sm text-muted-foreground sm:px-5">
        No body kept: delivered over SMTP, which drops it once sent.
      </p>
    );
  }

  return (
    <details open={open} onToggle={(event) => setOpen(event.currentTarget.open)} className="group border-t border-border">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-b-xl px-4 py-3 text-sm font-medium select-none hover:bg-muted/60 sm:px-5 [&::-webkit-details-marker]:hidden">
        <ChevronIcon className="size-4 text-muted-foreground transition-transform group-open:rotate-90" />
        Email body<span className="sr-only">: {subject}</span>
      </summary>
      {open ? (
        <div className="grid gap-3 px-4 pb-4 sm:px-5">
          <div role="group" aria-label="Show the email as" className="inline-flex w-fit gap-0.5 rounded-md border border-border bg-muted p-0.5">
            <ViewButton pressed={view === "html"} disabled={!hasHtml} onClick={() => setView("html")}>
              HTML
            </ViewButton>
            <ViewButton pressed={view === "text"} disabled={!text} onClick={() => setView("text")}>
              Text
            </ViewButton>
          </div>
          {view === "html" ? (
            // Drag the corner to resize: a frame without scripts cannot size itself to its content.
            <div className="h-[34rem] min-h-40 resize-y overflow-hidden rounded-md border border-border bg-white">
              <iframe
                src={`/dev/inbox/${encodeURIComponent(id)}/html`}
                title={`Email “${subject}” (HTML)`}
                sandbox="allow-popups allow-popups-to-escape-sandbox"
                referrerPolicy="no-referrer"
                loading="lazy"
                className="block size-full"
              />
            </div>
          ) : (
            <pre className="rounded-md border border-border bg-muted/40 p-3 font-mono text-xs leading-5 break-words whitespace-pre-wrap">
              {text}
            </pre>
          )}
        </div>
      ) : null}
    </details>
  );
}

function ViewButton({
  pressed,
  disabled,
  onClick,
  children,
}: {
  pressed: boolean;
  disabled: boolean;
  onClick: () => void;
  children: string;
}) {
  return (
    <button
      type="button"
      aria-pressed={pressed}
      disabled={disabled}
      onClick={onClick}
      className="h-7 rounded px-3 text-xs font-semibold text-muted-foreground transition-colors hover:text-foreground disabled:cursor-not-allowed disabled:opacity-50 aria-pressed:bg-card aria-pressed:text-foreground aria-pressed:shadow-xs"
    >
      {children}
    </button>
  );
}

function ChevronIcon({ className }: { className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className={className}>
      <path
        fillRule="evenodd"
        d="M7.21 14.77a.75.75 0 0 1 .02-1.06L11.17 10 7.23 6.29a.75.75 0 1 1 1.04-1.08l4.5 4.25a.75.75 0 0 1 0 1.08l-4.5 4.25a.75.75 0 0 1-1.06-.02Z"
        clipRule="evenodd"
      />
    </svg>
  );
}
