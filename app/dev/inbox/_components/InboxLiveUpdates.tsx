"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";

const POLL_INTERVAL_MS = 2_000;

type Summary = { id: string; to: string; subject: string };

/**
 * Keeps the open inbox current: every 2 s (while the tab is visible) it asks
 * version.json whether the list changed and, if so, re-renders the page in
 * place (router.refresh: no reload, so scroll, focus, selection and each
 * message's open/HTML/Text state stay). New mail is announced politely.
 */
export function InboxLiveUpdates({ to, version, messages }: { to?: string; version: string; messages: Summary[] }) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  const [reachable, setReachable] = useState(true);
  const [announcement, setAnnouncement] = useState("");
  // The poll loop runs from mount and reads the latest render through this ref.
  const rendered = useRef({ version, refreshing });
  useEffect(() => {
    rendered.current = { version, refreshing };
  });
  const seen = useRef(new Set(messages.map((message) => message.id)));

  useEffect(() => {
    const arrived = messages.filter((message) => !seen.current.has(message.id));
    for (const message of arrived) seen.current.add(message.id);
    if (arrived.length === 1) setAnnouncement(`New email to ${arrived[0]!.to}: ${arrived[0]!.subject}`);
    else if (arrived.length > 1) setAnnouncement(`${arrived.length} new emails`);
  }, [messages]);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const url = `/dev/inbox/version.json${to ? `?${new URLSearchParams({ to })}` : ""}`;

    async function poll() {
      if (document.visibilityState === "visible" && !rendered.current.refreshing) {
        try {
          const response = await fetch(url, { cache: "no-store", signal: controller.signal });
          setReachable(response.ok);
          const latest = response.ok ? ((await response.json()) as { version?: string }).version : undefined;
          if (latest && latest !== rendered.current.version) startRefresh(() => router.refresh());
        } catch {
          if (controller.signal.aborted) return;
          setReachable(false); // the dev server is restarting: keep the page, try again
        }
      }
      timer = setTimeout(poll, POLL_INTERVAL_MS);
    }

    timer = setTimeout(poll, POLL_INTERVAL_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [to, router]);

  return (
    <div className="flex items-center gap-2 text-xs text-muted-foreground">
      <span
        aria-hidden="true"
        className={`size-2 shrink-0 rounded-full ${reachable ? "bg-success motion-safe:animate-pulse" : "bg-warning"}`}
      />
      <span>{reachable ? "Live: new mail shows up by itself" : "Can’t reach the server; retrying…"}</span>
      {/* For screen readers: sighted users see the new message at the top of the list. */}
      <p role="status" aria-live="polite" className="sr-only">
        {announcement}
      </p>
    </div>
  );
}
