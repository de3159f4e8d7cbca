"use client";

import { useEffect } from "react";
import { retryAfterSeconds } from "./api";

const REFRESH_URL = "/api/auth/session/refresh";
/** Refresh this long before the current token's `exp` when the server told us when that is. */
const EXPIRY_MARGIN_MS = 10_000;
/** After a network or server error, try again sooner than the normal interval. */
const ERROR_RETRY_MS = 10_000;
/** A 401 is asked again once, this much later, before the page goes to sign-in. */
const UNAUTHORIZED_RETRY_MS = 1_500;

/**
 * Keeps the 60-second session token fresh while a page is open (S2): calls
 * the refresh route every `intervalMs` (50 s), and straight away when the
 * window regains focus or becomes visible after the last refresh went stale.
 * A 401 means the session is gone: go to sign-in and come back here after.
 * Renders nothing.
 */
export function SessionRefresher({
  intervalMs = 50_000,
  expiresAt,
}: {
  intervalMs?: number;
  /** Unix seconds when the token the page was rendered with expires (claims.exp); schedules the first refresh. */
  expiresAt?: number;
}) {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    let stopped = false;
    let lastRefresh = Date.now();
    let retriedUnauthorized = false;

    function schedule(delay: number) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void refresh(), Math.max(0, delay));
    }

    async function refresh() {
      if (inFlight || stopped) return;
      inFlight = true;
      let next = intervalMs;
      try {
        const response = await fetch(REFRESH_URL, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: "{}",
          credentials: "same-origin",
          cache: "no-store",
        });
        if (stopped) return;
        if (response.status === 401 && !retriedUnauthorized) {
          // This browser's cookies may have changed while the request was in flight (a sign-in,
          // switch or impersonation in this tab or another): ask once more before giving up.
          retriedUnauthorized = true;
          next = UNAUTHORIZED_RETRY_MS;
        } else if (response.status === 401) {
          stopped = true;
          const here = `${window.location.pathname}${window.location.search}`;
          window.location.assign(`/sign-in?${new URLSearchParams({ redirect_url: here }).toString()}`);
          return;
        } else if (response.ok) {
          retriedUnauthorized = false;
          lastRefresh = Date.now();
        } else if (response.status === 429) {
          next = (retryAfterSeconds(response.headers.get("Retry-After")) ?? ERROR_RETRY_MS / 1000) * 1000;
        } else {
          next = Math.min(intervalMs, ERROR_RETRY_MS);
        }
      } catch {
        // Offline or the server is restarting: keep the page and try again soon.
        next = Math.min(intervalMs, ERROR_RETRY_MS);
      } finally {
        inFlight = false;
      }
      if (!stopped) schedule(next);
    }

    function refreshIfStale() {
      if (document.visibilityState === "hidden") return;
      if (Date.now() - lastRefresh >= intervalMs) void refresh();
    }

    // First refresh: before the token the page was rendered with expires, never later than the
    // normal interval. Backdate lastRefresh to match, so the focus check agrees with the timer.
    const firstDelay = expiresAt
      ? Math.min(intervalMs, Math.max(0, expiresAt * 1000 - Date.now() - EXPIRY_MARGIN_MS))
      : intervalMs;
    lastRefresh = Date.now() - (intervalMs - firstDelay);
    schedule(firstDelay);

    window.addEventListener("focus", refreshIfStale);
    document.addEventListener("visibilitychange", refreshIfStale);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      window.removeEventListener("focus", refreshIfStale);
      document.removeEventListener("visibilitychange", refreshIfStale);
    };
  }, [intervalMs, expiresAt]);

  return null;
}
