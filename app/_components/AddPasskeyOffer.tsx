"use client";

import { KeyRound } from "lucide-react";
import { useEffect, useState } from "react";
import { navigate, postJson, withSession } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";

type Browser = typeof import("@simplewebauthn/browser");
type CreationOptions = Parameters<Browser["startRegistration"]>[0]["optionsJSON"];

/**
 * Remembered per user AND device in this browser's localStorage: the offer is
 * about this device (a passkey lives on it), needs no server state, and a
 * cleared browser at worst sees it once more.
 */
const offeredKey = (userId: string) => `passkey-offered:${userId}`;

const notAdded = (reason: string | null) =>
  `No passkey was added.${reason ? ` ${reason}` : ""} You are signed in; you can add one later on your security page.`;

/**
 * After a password sign-in (S13): offer a passkey once per user on this
 * device, when this browser can make one here (WebAuthn and a platform
 * authenticator: a device with nothing to hold a passkey is not asked). Any
 * failure (storage blocked, the library not loading) means "don't offer":
 * the sign-in always goes on.
 */
export async function shouldOfferPasskey(userId: string): Promise<boolean> {
  try {
    if (window.localStorage.getItem(offeredKey(userId))) return false;
    const { browserSupportsWebAuthn, platformAuthenticatorIsAvailable } = await import("@simplewebauthn/browser");
    return browserSupportsWebAuthn() && (await platformAuthenticatorIsAvailable());
  } catch {
    return false;
  }
}

/**
 * "Sign in faster next time with a passkey": the password sign-in just
 * happened, so the session's verification is recent and adding needs no
 * step-up. Either choice, or any failure, continues to `redirectUrl`; the
 * offer is marked as made as soon as it shows, so it never comes back here.
 */
export function AddPasskeyOffer({ userId, redirectUrl }: { userId: string; redirectUrl: string }) {
  const [busy, setBusy] = useState<"add" | "skip" | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    try {
      window.localStorage.setItem(offeredKey(userId), new Date().toISOString());
    } catch {
      // Storage blocked: it may be offered again, which is harmless.
    }
  }, [userId]);

  async function add() {
    if (busy) return;
    setBusy("add");
    setError(null);
    try {
      const [{ startRegistration }, started] = await Promise.all([
        import("@simplewebauthn/browser"),
        withSession(() => postJson<{ options: CreationOptions }>("/api/account/passkeys/register/options", {})),
      ]);
      if (!started.ok) return setError(notAdded(started.formError));
      let response;
      try {
        response = await startRegistration({ optionsJSON: started.data.options });
      } catch {
        return setError(notAdded("It was cancelled, or this device already has one for your account."));
      }
      const saved = await withSession(() => postJson<{ passkey: unknown }>("/api/account/passkeys/register/verify", { response }));
      if (!saved.ok) return setError(notAdded(saved.formError));
      navigate(redirectUrl);
    } catch {
      setError(notAdded(null));
    } finally {
      setBusy((current) => (current === "add" ? null : current));
    }
  }

  function skip() {
    setBusy("skip");
    navigate(redirectUrl);
  }

  return (
    <div className="grid gap-4">
      <div className="text-center text-sm text-muted-foreground">
        <KeyRound aria-hidden="true" className="mx-auto mb-2 size-8 text-brand" />
        <h2 className="text-base font-semibold text-foreground">Sign in faster next time with a passkey</h2>
        <p className="mt-1">
          You are signed in. Add a passkey to sign in on this device with your fingerprint, face or screen lock instead of your password. It is
          phishing-resistant and counts as two-step verification.
        </p>
      </div>
      <FormAlert id="passkey-offer-error" message={error} />
      {error ? null : (
        <Button type="button" variant="primary" fullWidth loading={busy === "add"} disabled={busy === "skip"} onClick={() => void add()}>
          Add passkey
        </Button>
      )}
      <Button
        type="button"
        variant={error ? "primary" : "ghost"}
        fullWidth
        loading={busy === "skip"}
        disabled={busy === "add"}
        onClick={skip}
      >
        {error ? "Continue" : "Not now"}
      </Button>
    </div>
  );
}
