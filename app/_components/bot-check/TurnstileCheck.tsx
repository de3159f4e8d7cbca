"use client";

import { Turnstile } from "@marsidev/react-turnstile";

/** Cloudflare Turnstile (S10), for teams who configured it instead of the built-in proof of work. */
export default function TurnstileCheck({
  siteKey,
  onSolved,
  onFailed,
}: {
  siteKey: string;
  onSolved: (token: string) => void;
  onFailed: (message: string) => void;
}) {
  return (
    <Turnstile
      siteKey={siteKey}
      options={{ size: "flexible", appearance: "interaction-only" }}
      onSuccess={onSolved}
      onError={() => onFailed("The bot check did not pass. Try again.")}
      onExpire={() => onFailed("The bot check expired. Try again.")}
    />
  );
}
