"use client";

import { KeyRound } from "lucide-react";
import { useCallback, useRef, useState } from "react";
import { navigate, postJson } from "./api";
import { Button } from "./Button";

type Browser = typeof import("@simplewebauthn/browser");
type Started = { attemptId: string; options: Parameters<Browser["startAuthentication"]>[0]["optionsJSON"] };

const CANCELLED_MESSAGE = "Signing in with a passkey was cancelled or is not available on this device.";

/**
 * Signing in with a passkey (S7), by button or by the email field's autofill
 * (conditional mediation). @simplewebauthn/browser is loaded only when needed
 * (a click, or the first use of the email field), so /sign-in's first load
 * stays small, and a page view alone makes no sign-in attempt.
 */
export function usePasskeySignIn({ redirectUrl, onError }: { redirectUrl?: string; onError: (message: string | null) => void }) {
  const [busy, setBusy] = useState(false);
  const autofillStarted = useRef(false);

  const run = useCallback(
    async (autofill: boolean) => {
      const [browser, started] = await Promise.all([
        import("@simplewebauthn/browser"),
        postJson<Started>("/api/auth/passkey/options", redirectUrl ? { redirectUrl } : {}),
      ]);
      if (autofill && !(await browser.browserSupportsWebAuthnAutofill())) return;
      if (!started.ok) {
        if (!autofill) onError(started.formError);
        return;
      }
      let response;
      try {
        response = await browser.startAuthentication({ optionsJSON: started.data.options, useBrowserAutofill: autofill });
      } catch {
        // The autofill request is cancelled whenever the button starts another: nothing to say then.
        if (!autofill) onError(CANCELLED_MESSAGE);
        return;
      }
      setBusy(true);
      try {
        const result = await postJson<{ status: string; redirectUrl?: string }>("/api/auth/passkey/verify", {
          attemptId: started.data.attemptId,
          response,
          ...(redirectUrl ? { redirectUrl } : {}),
        });
        if (!result.ok) return onError(result.formError);
        navigate(result.data.redirectUrl || "/");
      } finally {
        setBusy(false);
      }
    },
    [redirectUrl, onError],
  );

  const signIn = useCallback(async () => {
    setBusy(true);
    onError(null);
    try {
      await run(false);
    } finally {
      setBusy(false);
    }
  }, [run, onError]);

  /** For the email field's first click or key: offers this site's passkeys in its autofill, once. */
  const startAutofill = useCallback(() => {
    if (autofillStarted.current || typeof window === "undefined" || !window.PublicKeyCredential) return;
    autofillStarted.current = true;
    void run(true).catch(() => undefined);
  }, [run]);

  return { busy, signIn, startAutofill };
}

export function PasskeySignInButton({ busy, disabled, onClick }: { busy: boolean; disabled?: boolean; onClick: () => void }) {
  return (
    <Button type="button" variant="secondary" fullWidth loading={busy} disabled={disabled} onClick={onClick}>
      <KeyRound aria-hidden="true" className="size-4" />
      Sign in with a passkey
    </Button>
  );
}
