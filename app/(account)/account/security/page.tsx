import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SecuritySettings } from "@/app/_components/account/SecuritySettings";
import { SessionRefresher } from "@/app/_components/SessionRefresher";
import { SignedInHeader } from "@/app/_components/SignedInHeader";
import { getMfaStatus, reverificationMethods } from "@/lib/mfa";
import { auth, currentUser } from "@/lib/session/server";
import { getInstanceSettings } from "@/lib/settings";

export const metadata: Metadata = { title: "Security" };
export const dynamic = "force-dynamic";

const HERE = "/account/security";

/**
 * Account security (S6, S7): two-step verification (authenticator app,
 * backup codes, text-message codes) and the password. Rendered with the
 * current state, so nothing waits on client-side data; every change goes
 * through the step-up prompt when the last verification is over 10 minutes old.
 */
export default async function SecurityPage() {
  const [session, user] = await Promise.all([auth(), currentUser()]);
  // Middleware sends signed-out visitors to sign-in first; this is the server-side backstop.
  if (!session || !user) redirect(`/sign-in?${new URLSearchParams({ redirect_url: HERE }).toString()}`);
  const [mfa, methods, minScore] = await Promise.all([
    getMfaStatus(user.id),
    reverificationMethods(user.id),
    getInstanceSettings().then(
      (settings) => settings.passwordMinScore,
      () => undefined,
    ),
  ]);

  return (
    <div className="flex min-h-dvh flex-col">
      <SignedInHeader
        user={{ id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName, imageUrl: user.imageUrl }}
      />
      <main id="main" className="mx-auto w-full max-w-3xl flex-1 px-4 py-10 sm:px-6 sm:py-14">
        <h1 className="text-2xl font-semibold tracking-tight text-foreground sm:text-3xl">Security</h1>
        <p className="mt-2 text-muted-foreground">How you sign in to {user.email ?? "your account"}, and what keeps it yours.</p>
        <div className="mt-8">
          <SecuritySettings initialStatus={mfa} hasPassword={methods.password} account={user.email ?? user.id} minScore={minScore} />
        </div>
      </main>
      <SessionRefresher expiresAt={session.claims.exp} />
    </div>
  );
}
