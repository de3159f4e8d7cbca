"use client";

import { KeyRound } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { errorCode, navigate, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";

type Browser = typeof import("@simplewebauthn/browser");
type CreationOptions = Parameters<Browser["startRegistration"]>[0]["optionsJSON"];

/** Errors after which this sign-up cannot go on: the person starts again. */
const DEAD_ENDS: Record<string, string> = {
  verification_expired: "This sign-up has expired: the passkey must follow within 10 minutes of verifying your email. Start again.",
  verification_used: "This sign-up has already been completed. Sign in instead.",
  not_found: "This sign-up can no longer be completed here. Start again.",
};

/**
 * The last step of signing up with a passkey (S13): the email is verified,
 * and this browser now creates the passkey. The account, its passkey and the
 * session come into being together when the server verifies it; a
 * cancelled or refused passkey leaves nothing behind and can be tried again.
 */
export function PasskeySignUpStep({ attemptId, redirectUrl }: { attemptId: string; redirectUrl?: string | null }) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deadEnd, setDeadEnd] = useState(false);

  async function create() {
    if (busy || done) return;
    setBusy(true);
    setError(null);
    try {
      const [{ startRegistration }, started] = await Promise.all([
        import("@simplewebauthn/browser"),
        postJson<{ options: CreationOptions }>("/api/auth/sign-up/passkey/options", { attemptId }),
      ]);
      if (!started.ok) return fail(started);
      let response;
      try {
        response = await startRegistration({ optionsJSON: started.data.options });
      } catch {
        return setError("No passkey was created: it was cancelled or this device cannot make one. Try again.");
      }
      const result = await postJson<{ status: "complete"; redirectUrl?: string }>("/api/auth/sign-up/passkey/verify", { attemptId, response });
      if (!result.ok) return fail(result);
      setDone(true);
      navigate(result.data.redirectUrl || redirectUrl || "/");
    } finally {
      setBusy(false);
    }
  }

  function fail(result: Parameters<typeof errorCode>[0]) {
    const code = errorCode(result);
    const message = code ? DEAD_ENDS[code] : undefined;
    if (message) setDeadEnd(true);
    setError(message ?? result.formError);
  }

  return (
    <div className="grid gap-4">
      <div className="text-center text-sm text-muted-foreground">
        <h2 className="text-base font-semibold text-foreground">Create your passkey</h2>
        <p className="mt-1">
          Your email address is verified. Now create a passkey: this device asks for your fingerprint, face or screen lock, and you sign in with it
          from now on, without a password.
        </p>
      </div>
      <p role="status" aria-live="polite" className="sr-only">
        {done ? "Passkey created. Signing you in…" : ""}
      </p>
      <FormAlert id="passkey-sign-up-error" message={error} />
      {deadEnd ? (
        <Link href="/sign-up" className="text-center text-sm font-medium text-brand underline-offset-4 hover:underline">
          Start again
        </Link>
      ) : (
        <Button type="button" variant="primary" fullWidth loading={busy || done} onClick={() => void create()}>
          <KeyRound aria-hidden="true" className="size-4" />
          Create passkey
        </Button>
      )}
    </div>
  );
}
