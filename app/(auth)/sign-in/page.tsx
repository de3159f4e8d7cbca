import type { Metadata } from "next";
import { AuthCard } from "@/app/_components/AuthCard";
import { AuthSwitchLink } from "@/app/_components/AuthSwitchLink";
import { pageBranding } from "@/app/_components/branding";
import { readRedirectUrl, type SearchParams } from "@/app/_components/searchParams";
import { SignInForm } from "@/app/_components/SignInForm";
import { sendSignedInVisitorOn } from "@/app/_components/signedInVisitor";
import { SocialButtons, socialSignInAvailable } from "@/app/_components/SocialButtons";
import { publicBotCheck } from "@/lib/bot-protection";
import { getInstanceSettings } from "@/lib/settings";
import { signInMethods } from "@/lib/sign-in";

export const metadata: Metadata = { title: "Sign in" };

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const redirectUrl = await readRedirectUrl(searchParams);
  const { addingAccount } = await sendSignedInVisitorOn(redirectUrl);
  // The methods an admin left on (S8), as flags: the form hides the rest and the server refuses them anyway.
  const [settings, social] = await Promise.all([getInstanceSettings(), socialSignInAvailable()]);
  const methods = signInMethods(settings);
  const placement = settings.socialButtonsPlacement;
  const withFields = methods.password || methods.emailCode || methods.emailLink || methods.phone;
  const { instanceName } = await pageBranding();
  return (
    <AuthCard
      title={addingAccount ? "Add an account" : "Sign in"}
      subtitle={
        addingAccount
          ? `Sign in to another ${instanceName} account on this browser; you stay signed in to the current one.`
          : `Welcome back! Enter your details to continue to ${instanceName}.`
      }
      footer={<AuthSwitchLink prompt="Don’t have an account?" label="Sign up" href="/sign-up" redirectUrl={redirectUrl} />}
    >
      <SignInForm
        redirectUrl={redirectUrl}
        methods={methods}
        socialPlacement={placement}
        botCheck={publicBotCheck(settings)}
        social={social ? <SocialButtons redirectUrl={redirectUrl} divider={withFields} placement={placement} /> : undefined}
      />
    </AuthCard>
  );
}
