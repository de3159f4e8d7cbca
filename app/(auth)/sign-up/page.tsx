import type { Metadata } from "next";
import { AuthCard } from "@/app/_components/AuthCard";
import { AuthSwitchLink } from "@/app/_components/AuthSwitchLink";
import { INSTANCE_NAME } from "@/app/_components/instance";
import { readRedirectUrl, type SearchParams } from "@/app/_components/searchParams";
import { SignUpForm } from "@/app/_components/SignUpForm";
import { sendSignedInVisitorOn } from "@/app/_components/signedInVisitor";
import { SocialButtons } from "@/app/_components/SocialButtons";
import { getInstanceSettings } from "@/lib/settings";

export const metadata: Metadata = { title: "Create your account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage({ searchParams }: { searchParams: SearchParams }) {
  const [redirectUrl, minScore] = await Promise.all([readRedirectUrl(searchParams), passwordMinScore()]);
  const { addingAccount } = await sendSignedInVisitorOn(redirectUrl);
  return (
    <AuthCard
      title={addingAccount ? "Create another account" : "Create your account"}
      subtitle={`Welcome! Fill in the details to get started with ${INSTANCE_NAME}.`}
      footer={<AuthSwitchLink prompt="Already have an account?" label="Sign in" href="/sign-in" redirectUrl={redirectUrl} />}
    >
      <SignUpForm redirectUrl={redirectUrl} minScore={minScore} social={<SocialButtons redirectUrl={redirectUrl} />} />
    </AuthCard>
  );
}

/** The live meter should judge by the instance's setting; if settings can't be read, the policy default applies. */
async function passwordMinScore(): Promise<number | undefined> {
  try {
    return (await getInstanceSettings()).passwordMinScore;
  } catch {
    return undefined;
  }
}
