"use client";

import { Download } from "lucide-react";
import { useState } from "react";
import { navigate, refreshSession } from "../api";
import { Spinner } from "../Spinner";

/**
 * "Export CSV" (S8): a link to the streaming export, so it works without
 * JavaScript too. With it, the click first renews the session token (a
 * download cannot retry after a 401 the way the page's own calls do), then
 * starts the download.
 */
export function ExportCsvLink({ href }: { href: string }) {
  const [starting, setStarting] = useState(false);
  return (
    <a
      href={href}
      download
      aria-busy={starting || undefined}
      onClick={async (event) => {
        event.preventDefault();
        setStarting(true);
        await refreshSession();
        setStarting(false);
        navigate(href);
      }}
      className="inline-flex h-10 items-center gap-2 rounded-md border border-border bg-card px-4 text-sm font-semibold shadow-xs hover:bg-muted"
    >
      {starting ? <Spinner className="size-4" /> : <Download aria-hidden="true" className="size-4" />} Export CSV
    </a>
  );
}
