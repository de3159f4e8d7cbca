"use client";

import { useState } from "react";
import type { PublicProvider } from "@/lib/oauth/providers";
import { FormAlert } from "./Alert";
import { GENERIC_ERROR_MESSAGE, navigate, postJson, withSession } from "./api";
import { Button } from "./Button";
import { ProviderMark } from "./ProviderMark";

/**
 * "Continue with …" buttons for every configured provider (S5), above the
 * sign-in and sign-up forms (or below them, S8), and "Connect" on the account side. A click
 * asks the server to start the flow (it sets the browser-bound cookie) and
 * then goes to the provider. The provider this browser used last is marked.
 */
export function OAuthButtons({
  providers,
  lastUsed = null,
  redirectUrl,
  intent = "sign_in",
  divider = true,
  placement = "top",
}: {
  providers: PublicProvider[];
  lastUsed?: string | null;
  redirectUrl?: string;
  intent?: "sign_in" | "connect";
  divider?: boolean;
  /** Below a form (S8 setting), the "or" divider goes above the buttons. */
  placement?: "top" | "bottom";
}) {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (providers.length === 0) return null;

  async function start(provider: PublicProvider) {
    setPending(provider.id);
    setError(null);
    const start = () => postJson<{ url: string }>(`/api/auth/oauth/${encodeURIComponent(provider.id)}/start`, { intent, redirectUrl });
    // Connecting needs the session: a token that expired while the page sat open is refreshed first.
    const result = intent === "connect" ? await withSession(start) : await start();
    if (result.ok) {
      // Stays "pending" while the browser leaves for the provider.
      navigate(result.data.url);
      return;
    }
    setPending(null);
    setError(result.formError ?? GENERIC_ERROR_MESSAGE);
  }

  const compact = providers.length > 2;
  return (
    <div className="grid gap-4">
      {divider && placement === "bottom" ? <OrDivider /> : null}
      <div className={compact ? "grid grid-cols-2 gap-2" : "grid gap-2"}>
        {providers.map((provider) => {
          const last = provider.id === lastUsed;
          const label = intent === "connect" ? `Connect ${provider.name}` : compact ? provider.name : `Continue with ${provider.name}`;
          return (
            <Button
              key={provider.id}
              variant="secondary"
              fullWidth
              loading={pending === provider.id}
              disabled={pending !== null && pending !== provider.id}
              onClick={() => start(provider)}
              aria-label={intent === "connect" ? `Connect ${provider.name}` : `Continue with ${provider.name}${last ? " (last used)" : ""}`}
              data-provider={provider.id}
            >
              <ProviderMark mark={provider.mark} />
              <span>{label}</span>
              {last ? (
                <span aria-hidden="true" className="rounded-full bg-brand/10 px-1.5 py-0.5 text-[0.6875rem] leading-none font-medium text-brand">
                  Last used
                </span>
              ) : null}
            </Button>
          );
        })}
      </div>
      <FormAlert message={error} />
      {divider && placement === "top" ? <OrDivider /> : null}
    </div>
  );
}

function OrDivider() {
  return (
    <div className="flex items-center gap-3 text-xs text-muted-foreground" role="separator" aria-label="or">
      <span className="h-px flex-1 bg-border" />
      <span aria-hidden="true">or</span>
      <span className="h-px flex-1 bg-border" />
    </div>
  );
}
