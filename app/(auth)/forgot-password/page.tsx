import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/app/_components/AuthCard";
import { ForgotPasswordForm } from "@/app/_components/ForgotPasswordForm";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import { publicBotCheck, type PublicBotCheck } from "@/lib/bot-protection";
import { getInstanceSettings } from "@/lib/settings";

export const metadata: Metadata = { title: "Reset your password" };
export const dynamic = "force-dynamic";

export default async function ForgotPasswordPage({ searchParams }: { searchParams: SearchParams }) {
  // Carried from the sign-in form's "Forgot password?" link; only a plausible address is kept.
  const typed = firstParam((await searchParams).email)?.trim() ?? "";
  const initialEmail = typed.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(typed) ? typed : "";
  const { minScore, minLength, phone, botCheck } = await getInstanceSettings().then(
    (settings) => ({
      minScore: settings.passwordMinScore,
      minLength: settings.passwordMinLength,
      phone: settings.identifiers.phone,
      botCheck: publicBotCheck(settings),
    }),
    () => ({ minScore: undefined, minLength: undefined, phone: false, botCheck: { enabled: false } as PublicBotCheck }),
  );
  // "Forgot password?" on the phone version of the sign-in form (issue 19) opens the phone version here.
  const initialChannel = firstParam((await searchParams).by) === "phone" ? "phone" : "email";
  return (
    <AuthCard
      title="Reset your password"
      subtitle="Enter your email address and we’ll send you a code and a link to choose a new password."
      footer={
        <Link href="/sign-in" className="font-medium text-brand underline-offset-4 hover:underline">
          Back to sign in
        </Link>
      }
    >
      <ForgotPasswordForm
        minScore={minScore}
        minLength={minLength}
        initialEmail={initialEmail}
        phone={phone}
        initialChannel={initialChannel}
        botCheck={botCheck}
      />
    </AuthCard>
  );
}
