import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/app/_components/AuthCard";
import { ConfirmLinkForm } from "@/app/_components/ConfirmLinkForm";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import { inspectEmailLink } from "@/lib/sign-in";

export const metadata: Metadata = { title: "Confirm", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

const DEAD_LINK = {
  expired: "This link has expired. Links work for 10 minutes: request a new one from the sign-in page.",
  used: "This link has already been used. Request a new one if you still need to sign in.",
  voided: "This link can no longer be used. Request a new one from the sign-in page.",
  invalid: "This link is not valid. Check that you copied the whole link, or request a new one.",
} as const;

/**
 * Where the emailed link lands (S4). Rendering it never consumes the token
 * (mail scanners fetch links); the button's POST does.
 */
export default async function ConfirmPage({ searchParams }: { searchParams: SearchParams }) {
  const token = firstParam((await searchParams).token) ?? "";
  const { state, purpose } = await inspectEmailLink(token.slice(0, 128));
  const signUp = purpose === "sign_up";
  const addressOnly = purpose === "verify_email";
  const title = signUp || addressOnly ? "Confirm your email" : "Confirm sign-in";

  if (state !== "valid") {
    return (
      <AuthCard
        title={title}
        footer={
          <Link href="/sign-in" className="font-medium text-brand underline-offset-4 hover:underline">
            Back to sign in
          </Link>
        }
      >
        <p
          role="status"
          data-phase={state === "voided" || state === "invalid" ? "failed" : state}
          className="text-center text-sm text-muted-foreground"
        >
          {DEAD_LINK[state]}
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title={title}
      subtitle={
        signUp
          ? "Confirm this email address to finish creating your account."
          : addressOnly
            ? "Confirm that this email address is yours."
            : "Confirm that it’s you to finish signing in."
      }
    >
      <ConfirmLinkForm token={token} label={signUp || addressOnly ? "Confirm email address" : "Confirm and sign in"} />
    </AuthCard>
  );
}
