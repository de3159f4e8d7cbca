"use client";

import { useEffect, useState } from "react";

/**
 * Seconds left on a resend cooldown, ticking down once a second to 0. Set it
 * to the server's `resendAfter` after each send.
 */
export function useCountdown(initialSeconds = 0) {
  const [seconds, setSeconds] = useState(initialSeconds);
  useEffect(() => {
    if (seconds <= 0) return;
    const timer = setTimeout(() => setSeconds((left) => left - 1), 1_000);
    return () => clearTimeout(timer);
  }, [seconds]);
  return [seconds, setSeconds] as const;
}
