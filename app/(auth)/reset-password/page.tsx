import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/app/_components/AuthCard";
import { NewPasswordForm } from "@/app/_components/NewPasswordForm";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import { getInstanceSettings } from "@/lib/settings";
import { inspectResetLink } from "@/lib/sign-in";

export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

/** Where the reset email's link lands. Viewing it consumes nothing; submitting a new password does. */
export default async function ResetPasswordPage({ searchParams }: { searchParams: SearchParams }) {
  const token = (firstParam((await searchParams).token) ?? "").slice(0, 128);
  const [state, { minScore, minLength }] = await Promise.all([
    inspectResetLink(token),
    getInstanceSettings().then(
      (settings) => ({ minScore: settings.passwordMinScore, minLength: settings.passwordMinLength }),
      () => ({ minScore: undefined, minLength: undefined }),
    ),
  ]);
  const footer = (
    <Link href="/forgot-password" className="font-medium text-brand underline-offset-4 hover:underline">
      Request a new link
    </Link>
  );
  if (state !== "valid") {
    const message =
      state === "used"
        ? "This reset link has already been used."
        : state === "expired"
          ? "This reset link has expired. Links work for 10 minutes."
          : "This reset link is not valid.";
    return (
      <AuthCard title="Choose a new password" footer={footer}>
        <p
          role="status"
          data-phase={state === "used" ? "used" : state === "expired" ? "expired" : "failed"}
          className="text-center text-sm text-muted-foreground"
        >
          {message}
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Choose a new password"
      subtitle="Pick a strong password you don’t use anywhere else."
      footer={footer}
    >
      <NewPasswordForm token={token} minScore={minScore} minLength={minLength} />
    </AuthCard>
  );
}
