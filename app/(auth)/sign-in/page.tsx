import type { Metadata } from "next";
import { AuthCard } from "@/app/_components/AuthCard";
import { AuthSwitchLink } from "@/app/_components/AuthSwitchLink";
import { INSTANCE_NAME } from "@/app/_components/instance";
import { readRedirectUrl, type SearchParams } from "@/app/_components/searchParams";
import { SignInForm } from "@/app/_components/SignInForm";
import { sendSignedInVisitorOn } from "@/app/_components/signedInVisitor";
import { SocialButtons } from "@/app/_components/SocialButtons";

export const metadata: Metadata = { title: "Sign in" };

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const redirectUrl = await readRedirectUrl(searchParams);
  const { addingAccount } = await sendSignedInVisitorOn(redirectUrl);
  return (
    <AuthCard
      title={addingAccount ? "Add an account" : "Sign in"}
      subtitle={
        addingAccount
          ? `Sign in to another ${INSTANCE_NAME} account on this browser; you stay signed in to the current one.`
          : `Welcome back! Enter your details to continue to ${INSTANCE_NAME}.`
      }
      footer={<AuthSwitchLink prompt="Don’t have an account?" label="Sign up" href="/sign-up" redirectUrl={redirectUrl} />}
    >
      <SignInForm redirectUrl={redirectUrl} social={<SocialButtons redirectUrl={redirectUrl} />} />
    </AuthCard>
  );
}
