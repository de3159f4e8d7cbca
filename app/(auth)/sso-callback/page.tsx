import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/app/_components/AuthCard";
import { OAuthVerifyStep } from "@/app/_components/OAuthVerifyStep";
import { SecondFactorStep } from "@/app/_components/SecondFactorStep";
import { firstParam, type SearchParams } from "@/app/_components/searchParams";
import { findProvider } from "@/lib/oauth";
import { readClientTokenFromCookies } from "@/lib/session";
import { getInstanceSettings, verificationStepContents } from "@/lib/settings";
import { pendingOAuthStep, type OAuthCallbackFailure } from "@/lib/sign-in";

export const metadata: Metadata = { title: "Continue signing in" };
export const dynamic = "force-dynamic";

/**
 * Where an OAuth callback sends the browser when it did not end in a session
 * (S5): the second factor, our email verification for an address the provider
 * did not vouch for, or a page per failure. Failure texts are ours, chosen by
 * reason code: nothing from the URL is shown besides the provider's name.
 */
export default async function SsoCallbackPage({ searchParams }: { searchParams: SearchParams }) {
  const query = await searchParams;
  const step = firstParam(query.step);
  const attemptId = firstParam(query.attempt);
  if ((step === "second_factor" || step === "verify") && attemptId) {
    const pending = await pendingOAuthStep({ step, attemptId, clientToken: await readClientTokenFromCookies() });
    if (pending?.step === "second_factor") {
      return (
        <AuthCard title="Two-step verification" subtitle="One more step to finish signing in.">
          <SecondFactorStep attemptId={pending.attemptId} methods={pending.methods} redirectUrl={pending.redirectUrl} />
        </AuthCard>
      );
    }
    if (pending?.step === "verify") {
      return (
        <AuthCard title="One more step" subtitle="Confirm your email address to finish creating your account.">
          <OAuthVerifyStep
            email={pending.email}
            attemptId={pending.attemptId}
            resendAfter={pending.resendAfter}
            contents={verificationStepContents(await getInstanceSettings())}
          />
        </AuthCard>
      );
    }
    return <Failure title="This sign-in can no longer be continued" text="It expired or was started in another browser. Start again from the sign-in page." />;
  }

  const providerId = firstParam(query.provider);
  const provider = providerId ? findProvider(await getInstanceSettings(), providerId) : null;
  const connect = firstParam(query.intent) === "connect";
  const { title, text } = failureText((firstParam(query.error) ?? "provider_error") as OAuthCallbackFailure, provider?.name ?? "the provider");
  return <Failure title={title} text={text} connect={connect} />;
}

function Failure({ title, text, connect = false }: { title: string; text: string; connect?: boolean }) {
  return (
    <AuthCard title={title}>
      <div className="grid gap-4 text-center">
        <p className="text-sm text-muted-foreground">{text}</p>
        <Link
          href={connect ? "/account/connected-accounts" : "/sign-in"}
          className="inline-flex h-10 items-center justify-center rounded-md bg-brand px-4 text-sm font-semibold text-brand-foreground shadow-sm hover:bg-brand-hover"
        >
          {connect ? "Back to connected accounts" : "Back to sign in"}
        </Link>
      </div>
    </AuthCard>
  );
}

function failureText(reason: OAuthCallbackFailure, provider: string): { title: string; text: string } {
  switch (reason) {
    case "access_denied":
      return { title: "Sign-in cancelled", text: `You cancelled at ${provider}, so nothing was shared. You can try again or use another way to sign in.` };
    case "state_missing":
      return {
        title: "Start again from this browser",
        text: `This answer from ${provider} does not belong to a sign-in started in this browser (or cookies are blocked), so it was not used.`,
      };
    case "state_mismatch":
    case "invalid_token":
      return { title: "We could not verify that sign-in", text: `The answer from ${provider} did not match this sign-in, so it was refused for your safety. Please try again.` };
    case "expired":
      return { title: "That took too long", text: `A sign-in with ${provider} has to finish within 10 minutes. Please start again.` };
    case "provider_unavailable":
      return { title: `${capitalize(provider)} is not reachable`, text: `We could not reach ${provider} just now. Try again in a moment, or use another way to sign in.` };
    case "not_configured":
      return { title: "This sign-in option is not available", text: "It may have been turned off. Use another way to sign in." };
    case "email_taken":
      return {
        title: "You already have an account",
        text: `An account with this email address exists, and ${provider} did not confirm the address is yours. Sign in with your password or an email code, then connect ${provider} from your account.`,
      };
    case "already_connected":
      return { title: "Connected to another account", text: `This ${provider} account is already connected to a different account here. Sign in to that account, or disconnect it there first.` };
    case "no_email":
      return { title: "No email address shared", text: `${capitalize(provider)} did not share an email address, which this site needs. Sign up with your email instead.` };
    case "suspended":
      return { title: "Account suspended", text: "This account has been suspended. Contact the administrator." };
    case "locked":
      return { title: "Account locked", text: "This account is locked for a while. Try again later or contact the administrator." };
    case "sign_up_restricted":
      return { title: "Sign-ups are restricted", text: "Sign-ups are restricted on this instance. Ask an administrator for access." };
    case "sign_in_blocked":
      return {
        title: "This address can’t sign in here",
        text: "This email address can’t be used to sign in here. Contact an administrator if you think this is a mistake.",
      };
    case "session_changed":
      return { title: "Sign in again to connect", text: `You were signed out (or switched accounts) while at ${provider}. Sign in again, then connect ${provider}.` };
    default:
      return { title: "Sign-in did not finish", text: `${capitalize(provider)} could not complete the sign-in. Please try again, or use another way to sign in.` };
  }
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
