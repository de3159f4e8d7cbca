import type { Metadata } from "next";
import { AuthCard } from "@/app/_components/AuthCard";
import { AuthSwitchLink } from "@/app/_components/AuthSwitchLink";
import { INSTANCE_NAME } from "@/app/_components/instance";
import { readRedirectUrl, type SearchParams } from "@/app/_components/searchParams";
import { SignInForm } from "@/app/_components/SignInForm";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const redirectUrl = await readRedirectUrl(searchParams);
  return (
    <AuthCard
      title="Sign in"
      subtitle={`Welcome back! Enter your details to continue to ${INSTANCE_NAME}.`}
      footer={<AuthSwitchLink prompt="Don’t have an account?" label="Sign up" href="/sign-up" redirectUrl={redirectUrl} />}
    >
      <SignInForm redirectUrl={redirectUrl} />
    </AuthCard>
  );
}
