import type { Metadata } from "next";
import { AuthCard } from "@/app/_components/AuthCard";
import { AuthSwitchLink } from "@/app/_components/AuthSwitchLink";
import { pageBranding } from "@/app/_components/branding";
import { Notice } from "@/app/_components/Alert";
import { firstParam, readRedirectUrl, type SearchParams } from "@/app/_components/searchParams";
import { SignUpForm } from "@/app/_components/SignUpForm";
import { sendSignedInVisitorOn } from "@/app/_components/signedInVisitor";
import { SocialButtons } from "@/app/_components/SocialButtons";
import { TermsNotice } from "@/app/_components/TermsNotice";
import { publicBotCheck, type PublicBotCheck } from "@/lib/bot-protection";
import { getInstanceSettings, passkeySignUpEnabled, verificationStepContents, type InstanceSettings } from "@/lib/settings";
import { inspectInvitation, type InvitationInspection } from "@/lib/users";

export const metadata: Metadata = { title: "Create your account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage({ searchParams }: { searchParams: SearchParams }) {
  const [redirectUrl, policy, invitation] = await Promise.all([readRedirectUrl(searchParams), signUpPolicy(), readInvitation(searchParams)]);
  const { minScore, minLength, signUpMode, passkey, pages, botCheck, identifiers } = policy;
  const invited = invitation?.inspection.state === "valid" ? { token: invitation.token, email: invitation.inspection.email } : undefined;
  const { addingAccount } = await sendSignedInVisitorOn(redirectUrl);
  const { instanceName } = await pageBranding();
  return (
    <AuthCard
      title={addingAccount ? "Create another account" : "Create your account"}
      subtitle={`Welcome! Fill in the details to get started with ${instanceName}.`}
      footer={<AuthSwitchLink prompt="Already have an account?" label="Sign in" href="/sign-in" redirectUrl={redirectUrl} />}
    >
      <div className="grid gap-4">
        <SignUpNotice mode={signUpMode} invitation={invitation?.inspection ?? null} />
        <SignUpForm
          redirectUrl={redirectUrl}
          minScore={minScore}
          minLength={minLength}
          invitation={invited}
          passkey={passkey}
          socialPlacement={pages.socialPlacement}
          verificationContents={pages.verificationContents}
          botCheck={botCheck}
          legalNotice={<TermsNotice termsUrl={pages.termsUrl} privacyUrl={pages.privacyUrl} />}
          // Issue 19: "Use phone" where phone numbers are on (public sign-ups only: the allowlist names addresses).
          identifiers={{ email: identifiers.email, phone: identifiers.phone && signUpMode === "public" && !invited }}
          // An invitation is for one address, through this form; providers would sign up whatever address they hold.
          social={invited ? undefined : <SocialButtons redirectUrl={redirectUrl} placement={pages.socialPlacement} />}
        />
      </div>
    </AuthCard>
  );
}

/** How the page looks (S8): provider buttons' place, legal links, what the verification email asks for. */
type SignUpPageSettings = {
  socialPlacement: InstanceSettings["socialButtonsPlacement"];
  termsUrl: string | null;
  privacyUrl: string | null;
  verificationContents: "code_and_link" | "code" | "link";
};

/** The live meter should judge by the instance's settings; if settings can't be read, the policy defaults apply. */
async function signUpPolicy(): Promise<{
  minScore?: number;
  minLength?: number;
  signUpMode: InstanceSettings["signUpMode"];
  passkey: boolean;
  pages: SignUpPageSettings;
  /** S10: the bot check the form solves in the background. */
  botCheck: PublicBotCheck;
  identifiers: InstanceSettings["identifiers"];
}> {
  try {
    const settings = await getInstanceSettings();
    return {
      minScore: settings.passwordMinScore,
      minLength: settings.passwordMinLength,
      signUpMode: settings.signUpMode,
      // S13: "Use a passkey instead of a password" (the server refuses it when off anyway).
      passkey: passkeySignUpEnabled(settings),
      botCheck: publicBotCheck(settings),
      identifiers: settings.identifiers,
      pages: {
        socialPlacement: settings.socialButtonsPlacement,
        termsUrl: settings.termsUrl,
        privacyUrl: settings.privacyUrl,
        verificationContents: verificationStepContents(settings),
      },
    };
  } catch {
    return {
      signUpMode: "public",
      passkey: false,
      botCheck: { enabled: false },
      identifiers: { email: true, phone: false, username: false },
      pages: { socialPlacement: "top", termsUrl: null, privacyUrl: null, verificationContents: "code_and_link" },
    };
  }
}

/** `?invitation=<token>` (S8): looked at, never consumed; the sign-up request carries the token. */
async function readInvitation(searchParams: SearchParams): Promise<{ token: string; inspection: InvitationInspection } | null> {
  const token = firstParam((await searchParams).invitation);
  if (!token || token.length > 128 || !/^[\w-]+$/.test(token)) return token ? { token: "", inspection: { state: "invalid" } } : null;
  return { token, inspection: await inspectInvitation(token) };
}

const INVITATION_PROBLEMS: Record<Exclude<InvitationInspection["state"], "valid">, string> = {
  invalid: "This invitation link is not valid. Check that you copied all of it, or ask an administrator for a new one.",
  expired: "This invitation has expired. Ask an administrator for a new one.",
  revoked: "This invitation was withdrawn. Ask an administrator for access.",
  accepted: "This invitation has already been used. Sign in instead.",
};

/** Says up front who may sign up here, so nobody fills in the form only to be refused (the server decides anyway). */
function SignUpNotice({ mode, invitation }: { mode: InstanceSettings["signUpMode"]; invitation: InvitationInspection | null }) {
  if (invitation?.state === "valid") {
    return <Notice>You’re invited. Create your account with {invitation.email}.</Notice>;
  }
  if (invitation) return <Notice tone="warning">{INVITATION_PROBLEMS[invitation.state]}</Notice>;
  if (mode === "invitation") {
    return <Notice>Sign-ups here are by invitation. Use the link in your invitation email, or ask an administrator for access.</Notice>;
  }
  if (mode === "restricted") return <Notice>Sign-ups here are limited to approved email addresses.</Notice>;
  return null;
}
