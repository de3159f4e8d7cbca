import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/app/_components/AuthCard";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import type { ActorTokenFailure } from "@/lib/sign-in";

export const metadata: Metadata = { title: "Impersonation link" };

const TEXT: Record<Exclude<ActorTokenFailure, "sign_in">, { title: string; text: string }> = {
  invalid: { title: "This link is not valid", text: "The impersonation link is incomplete or unknown. Ask your support tool for a new one." },
  used: { title: "This link has been used", text: "An impersonation link works once. Ask your support tool for a new one." },
  expired: { title: "This link has expired", text: "An impersonation link works for at most an hour. Ask your support tool for a new one." },
  refused: {
    title: "This impersonation is not allowed",
    text: "The admin the link was made for is no longer an admin, or the user has been banned or made an admin since. Nothing was opened.",
  },
  wrong_account: {
    title: "Sign in as the admin this link is for",
    text: "This browser is signed in to another account. Sign out (or add the admin's account), then open the link again.",
  },
  impersonating: { title: "You are impersonating someone already", text: "Stop the current impersonation with the banner's button, then open the link again." },
};

/**
 * Why an actor-token link (S9) did not open an impersonation. The text is
 * ours, chosen by reason code: nothing from the URL is shown.
 */
export default async function ActorTokenRefusedPage({ searchParams }: { searchParams: SearchParams }) {
  const reason = firstParam((await searchParams).error);
  const { title, text } = TEXT[(reason && Object.hasOwn(TEXT, reason) ? reason : "invalid") as keyof typeof TEXT];
  return (
    <AuthCard title={title}>
      <div className="grid gap-4 text-center">
        <p className="text-sm text-muted-foreground">{text}</p>
        <Link
          href="/"
          className="inline-flex h-10 items-center justify-center rounded-md bg-brand px-4 text-sm font-semibold text-brand-foreground shadow-sm hover:bg-brand-hover"
        >
          Go to the home page
        </Link>
      </div>
    </AuthCard>
  );
}
