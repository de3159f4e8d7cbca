import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/app/_components/AuthCard";
import { ConfirmLinkForm } from "@/app/_components/ConfirmLinkForm";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import { readClientTokenFromCookies } from "@/lib/session";
import { inspectEmailLink } from "@/lib/sign-in";

export const metadata: Metadata = { title: "Confirm", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

const DEAD_LINK = {
  expired: "This link has expired. Links work for 10 minutes: request a new one from the sign-in page.",
  used: "This link has already been used. Request a new one if you still need to sign in.",
  voided: "This link can no longer be used. Request a new one from the sign-in page.",
  invalid: "This link is not valid. Check that you copied the whole link, or request a new one.",
} as const;

const backToSignIn = (
  <Link href="/sign-in" className="font-medium text-brand underline-offset-4 hover:underline">
    Back to sign in
  </Link>
);

/**
 * Where the emailed link lands (S4). Rendering it never consumes the token
 * (mail scanners fetch links); a button's POST does, and only in the browser
 * that asked for the link. Any other browser is told where the request came
 * from and can say "this wasn't me".
 */
export default async function ConfirmPage({ searchParams }: { searchParams: SearchParams }) {
  const token = (firstParam((await searchParams).token) ?? "").slice(0, 128);
  const link = await inspectEmailLink(token, await readClientTokenFromCookies());
  const signUp = link.purpose === "sign_up";
  const addressOnly = link.purpose === "verify_email";
  const title = signUp || addressOnly ? "Confirm your email" : "Confirm sign-in";

  if (link.state !== "valid") {
    return (
      <AuthCard title={title} footer={backToSignIn}>
        <p
          role="status"
          data-phase={link.state === "voided" || link.state === "invalid" ? "failed" : link.state}
          className="text-center text-sm text-muted-foreground"
        >
          {DEAD_LINK[link.state]}
        </p>
      </AuthCard>
    );
  }
  const label = signUp || addressOnly ? "Confirm email address" : "Confirm and sign in";
  if (link.sameBrowser) {
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
        <ConfirmLinkForm token={token} label={label} />
      </AuthCard>
    );
  }
  if (addressOnly) {
    return (
      <AuthCard title={title} footer={backToSignIn}>
        <p role="status" data-phase="original_device" className="text-center text-sm text-muted-foreground">
          Open this link in the browser where you are signed in to your account, or type the code from the email on
          your account page there.
        </p>
      </AuthCard>
    );
  }
  const from = link.requestedFrom;
  const what = signUp ? "create an account" : "sign in";
  return (
    <AuthCard
      title={link.crossDeviceAllowed ? `Was this you?` : "Open it where you asked for it"}
      subtitle={
        link.crossDeviceAllowed
          ? `Someone asked to ${what} with this email address from another browser.`
          : `This link works only in the browser that asked to ${what}. Open it there, or type the code from the email there.`
      }
      footer={backToSignIn}
    >
      {from ? (
        <dl className="mb-4 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 rounded-md border border-border bg-muted/40 p-3 text-sm">
          <dt className="text-muted-foreground">Browser</dt>
          <dd data-testid="requested-device">{from.device}</dd>
          <dt className="text-muted-foreground">IP address</dt>
          <dd data-testid="requested-ip">{from.ip ?? "unknown"}</dd>
          <dt className="text-muted-foreground">Time</dt>
          <dd>{from.at}</dd>
        </dl>
      ) : null}
      <ConfirmLinkForm
        token={token}
        label={`Yes, ${what} in that browser`}
        mode={link.crossDeviceAllowed ? "approve" : "deny-only"}
      />
    </AuthCard>
  );
}
