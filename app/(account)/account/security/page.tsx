import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SecuritySettings } from "@/app/_components/account/SecuritySettings";
import { getMfaStatus, listSecurityKeys, reverificationMethods } from "@/lib/mfa";
import { listPasskeys } from "@/lib/passkeys";
import { auth, currentUser } from "@/lib/session/server";
import { getInstanceSettings } from "@/lib/settings";

export const metadata: Metadata = { title: "Security" };
export const dynamic = "force-dynamic";

const HERE = "/account/security";

/**
 * Account security (S6, S7): two-step verification (authenticator app,
 * backup codes, text-message codes, security keys), passkeys and the password. Rendered with the
 * current state, so nothing waits on client-side data; every change goes
 * through the step-up prompt when the last verification is over 10 minutes old.
 */
export default async function SecurityPage() {
  const [session, user] = await Promise.all([auth(), currentUser()]);
  // Middleware sends signed-out visitors to sign-in first; this is the server-side backstop.
  if (!session || !user) redirect(`/sign-in?${new URLSearchParams({ redirect_url: HERE }).toString()}`);
  const [mfa, methods, passkeys, securityKeys, { minScore, minLength, passkeysEnabled }] = await Promise.all([
    getMfaStatus(user.id),
    reverificationMethods(user.id),
    listPasskeys(user.id),
    listSecurityKeys(user.id),
    getInstanceSettings().then(
      (settings) => ({ minScore: settings.passwordMinScore, minLength: settings.passwordMinLength, passkeysEnabled: settings.passkeySignIn }),
      () => ({ minScore: undefined, minLength: undefined, passkeysEnabled: true }),
    ),
  ]);

  return (
    <>
      <h1 className="text-2xl font-semibold tracking-tight text-foreground">Security</h1>
      <p className="mt-1 text-sm text-muted-foreground">How you sign in to {user.email ?? "your account"}, and what keeps it yours.</p>
      <div className="mt-8">
        <SecuritySettings initialStatus={mfa} hasPassword={methods.password} account={user.email ?? user.id} minScore={minScore} minLength={minLength} passkeys={passkeys} passkeysEnabled={passkeysEnabled} securityKeys={securityKeys} />
      </div>
    </>
  );
}
