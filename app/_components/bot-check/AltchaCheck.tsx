"use client";

import { useEffect, useRef } from "react";

type WidgetElement = HTMLElement & { verify(): Promise<unknown>; reset(): void };
type StateChange = CustomEvent<{ state: string; payload?: string }>;

/**
 * The ALTCHA widget (S10), invisible: it fetches a challenge from
 * /api/auth/bot-challenge as soon as it mounts and solves it in workers while
 * the person types. Mount a new one (a new `key`) for a fresh challenge.
 */
export default function AltchaCheck({ onSolved, onFailed }: { onSolved: (payload: string) => void; onFailed: (message: string) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const callbacks = useRef({ onSolved, onFailed });
  callbacks.current = { onSolved, onFailed };

  useEffect(() => {
    let widget: WidgetElement | undefined;
    let cancelled = false;
    void (async () => {
      try {
        await import("./load-altcha");
      } catch {
        callbacks.current.onFailed("The bot check could not load. Reload the page and try again.");
        return;
      }
      if (cancelled || !container.current) return;
      widget = document.createElement("altcha-widget") as WidgetElement;
      widget.setAttribute("challenge", "/api/auth/bot-challenge");
      widget.setAttribute("auto", "onload");
      widget.setAttribute("display", "invisible");
      widget.setAttribute("hidefooter", "");
      widget.setAttribute("hidelogo", "");
      // Our own form fields carry the answer; the widget's hidden input must not be submitted with anything.
      widget.setAttribute("name", "altcha-unused");
      widget.addEventListener("statechange", (event) => {
        const { state, payload } = (event as StateChange).detail;
        if (state === "verified" && payload) callbacks.current.onSolved(payload);
        else if (state === "error") callbacks.current.onFailed("Your browser's check did not finish. Try again.");
        // An expired answer is of no use: solve a fresh challenge at once.
        else if (state === "expired") void widget?.verify();
      });
      container.current.append(widget);
    })();
    return () => {
      cancelled = true;
      widget?.remove();
    };
  }, []);

  // Not `hidden`: the invisible widget draws nothing, and a display:none host would never start solving.
  return <div ref={container} />;
}
