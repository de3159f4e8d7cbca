"use client";

import Link from "next/link";
import { useRef, useState } from "react";
import { errorCode, navigate, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";

type ConfirmResponse = {
  status: "complete" | "verified_elsewhere" | "email_verified" | "needs_second_factor";
  redirectUrl?: string;
};
type Phase = "ready" | "verifying" | "verified" | "elsewhere" | "address" | "expired" | "used" | "failed";

const MESSAGES: Record<Exclude<Phase, "ready">, string> = {
  verifying: "Verifying…",
  verified: "Verified! Signing you in…",
  elsewhere: "Verified. Return to your original device: it signs in there by itself. You can close this tab.",
  address: "Your email address is verified. You can close this tab.",
  expired: "This link has expired. Request a new one from the sign-in page.",
  used: "This link has already been used. Request a new one if you still need to sign in.",
  failed: "This link could not be verified. Request a new one from the sign-in page.",
};

/**
 * The magic-link confirm step (S4). The page itself is a harmless GET (mail
 * scanners prefetch it); only this button's POST consumes the link.
 */
export function ConfirmLinkForm({ token, label }: { token: string; label: string }) {
  const [phase, setPhase] = useState<Phase>("ready");
  const [formError, setFormError] = useState<string | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);

  async function confirm() {
    if (phase !== "ready") return;
    setPhase("verifying");
    setFormError(null);
    const result = await postJson<ConfirmResponse>("/api/auth/email/confirm-link", { token });
    if (result.ok) {
      if (result.data.status === "complete") {
        setPhase("verified");
        navigate(result.data.redirectUrl || "/");
      } else if (result.data.status === "verified_elsewhere") {
        setPhase("elsewhere");
      } else if (result.data.status === "email_verified") {
        setPhase("address");
      } else {
        setPhase("ready");
        setFormError(
          "This account uses two-step verification, which this page does not support yet. Contact your administrator.",
        );
      }
      statusRef.current?.focus();
      return;
    }
    const failure = errorCode(result);
    if (failure === "verification_expired") setPhase("expired");
    else if (failure === "verification_used") setPhase("used");
    else if (result.status === 0 || result.status === 429) {
      setPhase("ready");
      setFormError(result.formError);
    } else setPhase("failed");
    statusRef.current?.focus();
  }

  const done =
    phase === "elsewhere" || phase === "address" || phase === "expired" || phase === "used" || phase === "failed";
  return (
    <div className="grid gap-3">
      {phase === "elsewhere" ? (
        <h2 className="text-center text-base font-semibold text-foreground">Return to your original device</h2>
      ) : null}
      <p
        ref={statusRef}
        tabIndex={-1}
        role="status"
        aria-live="polite"
        data-phase={phase}
        className="min-h-5 text-center text-sm text-muted-foreground outline-none"
      >
        {phase === "ready" ? null : MESSAGES[phase]}
      </p>
      <FormAlert id="confirm-error" message={formError} reserve={false} />
      {done ? (
        <Link href="/sign-in" className="text-center text-sm font-medium text-brand underline-offset-4 hover:underline">
          Back to sign in
        </Link>
      ) : (
        <Button
          type="button"
          variant="primary"
          fullWidth
          loading={phase === "verifying" || phase === "verified"}
          onClick={confirm}
        >
          {label}
        </Button>
      )}
    </div>
  );
}
