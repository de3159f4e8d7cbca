"use client";

import Link from "next/link";
import { useRef, useState } from "react";
import { errorCode, navigate, postJson } from "./api";
import { FormAlert } from "./Alert";
import { Button } from "./Button";
import { PasskeySignUpStep } from "./PasskeySignUpStep";
import { SecondFactorStep, secondFactorChallenge, type SecondFactorChallenge, type SecondFactorMethods } from "./SecondFactorStep";

type ConfirmResponse = {
  status: "complete" | "verified_elsewhere" | "email_verified" | "needs_second_factor" | "needs_passkey" | "open_on_original_device";
  redirectUrl?: string;
  attemptId?: string;
  methods?: SecondFactorMethods;
};
type Phase =
  | "ready"
  | "verifying"
  | "verified"
  | "approved"
  | "address"
  | "original_device"
  | "denied"
  | "expired"
  | "used"
  | "failed";

const MESSAGES: Record<Exclude<Phase, "ready">, string> = {
  verifying: "Verifying…",
  verified: "Verified! Signing you in…",
  approved: "Approved. The browser that asked signs in by itself. You can close this tab.",
  address: "Your email address is verified. You can close this tab.",
  original_device:
    "Open this link in the browser where you asked for it, or type the code from the email there. Nothing happened here.",
  denied: "Thanks. That request is cancelled: its code and link no longer work. You can close this tab.",
  expired: "This link has expired. Request a new one from the sign-in page.",
  used: "This link has already been used. Request a new one if you still need to sign in.",
  failed: "This link could not be verified. Request a new one from the sign-in page.",
};

/**
 * The magic-link confirm step (S4). The page itself is a harmless GET (mail
 * scanners prefetch it); only a button's POST consumes the link.
 *
 * `mode`: "confirm" in the browser that asked (completes here); "approve" in
 * another browser when cross-device completion is on (completes in the one
 * that asked, after this person saw where it came from); "deny-only" in
 * another browser otherwise (nothing to confirm here, only "this wasn't me").
 */
export function ConfirmLinkForm({
  token,
  label,
  mode = "confirm",
}: {
  token: string;
  label: string;
  mode?: "confirm" | "approve" | "deny-only";
}) {
  const [phase, setPhase] = useState<Phase>("ready");
  const [busy, setBusy] = useState<"confirm" | "deny" | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [challenge, setChallenge] = useState<SecondFactorChallenge | null>(null);
  const [passkeyStep, setPasskeyStep] = useState<{ attemptId: string; redirectUrl?: string | null } | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);

  function settle(next: Phase) {
    setPhase(next);
    setBusy(null);
    statusRef.current?.focus();
  }

  function failed(result: Parameters<typeof errorCode>[0]) {
    const failure = errorCode(result);
    if (failure === "verification_expired") settle("expired");
    else if (failure === "verification_used") settle("used");
    else if (result.status === 0 || result.status === 429) {
      setFormError(result.formError);
      settle("ready");
    } else settle("failed");
  }

  async function confirm() {
    if (phase !== "ready" || busy) return;
    setBusy("confirm");
    setPhase("verifying");
    setFormError(null);
    const result = await postJson<ConfirmResponse>("/api/auth/email/confirm-link", { token });
    if (!result.ok) return failed(result);
    const { status, redirectUrl } = result.data;
    if (status === "complete") {
      setPhase("verified");
      navigate(redirectUrl || "/");
    } else if (status === "verified_elsewhere") settle("approved");
    else if (status === "email_verified") settle("address");
    else if (status === "open_on_original_device") settle("original_device");
    else if (status === "needs_passkey" && result.data.attemptId) {
      // A passkey sign-up (S13): the address is verified; the passkey can be created right here.
      setPasskeyStep({ attemptId: result.data.attemptId, redirectUrl });
      setBusy(null);
    } else {
      const next = secondFactorChallenge(result.data);
      if (next) {
        // Its code field takes focus when it appears.
        setChallenge(next);
        setBusy(null);
        return;
      }
      setFormError("Sign-in could not be completed. Request a new link from the sign-in page.");
      settle("ready");
    }
  }

  async function deny() {
    if (phase !== "ready" || busy) return;
    setBusy("deny");
    setFormError(null);
    const result = await postJson<{ status: "denied" }>("/api/auth/email/deny-link", { token });
    if (!result.ok) return failed(result);
    settle("denied");
  }

  // The link did its part (first factor); the second factor follows on this page.
  if (challenge) return <SecondFactorStep {...challenge} />;
  if (passkeyStep) return <PasskeySignUpStep {...passkeyStep} />;

  const done = phase !== "ready" && phase !== "verifying" && phase !== "verified";
  return (
    <div className="grid gap-3">
      {phase === "original_device" ? (
        <h2 className="text-center text-base font-semibold text-foreground">Open it where you asked for it</h2>
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
        <>
          {mode !== "deny-only" ? (
            <Button
              type="button"
              variant="primary"
              fullWidth
              loading={busy === "confirm" || phase === "verified"}
              disabled={busy === "deny"}
              onClick={confirm}
            >
              {label}
            </Button>
          ) : null}
          {mode !== "confirm" ? (
            <Button
              type="button"
              variant="secondary"
              fullWidth
              loading={busy === "deny"}
              disabled={busy === "confirm"}
              onClick={deny}
            >
              This wasn’t me
            </Button>
          ) : null}
        </>
      )}
    </div>
  );
}
