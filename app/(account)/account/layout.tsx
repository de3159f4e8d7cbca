import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { AccountNav } from "@/app/_components/account/AccountNav";
import { SessionRefresher } from "@/app/_components/SessionRefresher";
import { SignedInHeader } from "@/app/_components/SignedInHeader";
import { SessionProvider } from "@/app/_components/session/SessionProvider";
import { Toaster } from "@/app/_components/ui/sonner";
import { auth, currentUser } from "@/lib/session/server";

/**
 * The account pages (S7): the signed-in header, the account navigation, one
 * toast region and the session refresher, around each page's sections.
 * Middleware sends signed-out visitors to sign-in first; this is the backstop.
 */
export default async function AccountLayout({ children }: { children: ReactNode }) {
  const [session, user] = await Promise.all([auth(), currentUser()]);
  if (!session || !user) redirect("/sign-in?redirect_url=%2Faccount");
  const { createdAt: _createdAt, ...clientUser } = user;
  return (
    <SessionProvider user={clientUser} session={{ id: session.sessionId, expiresAt: session.claims.exp, actor: session.actor }}>
      <div className="flex min-h-dvh flex-col">
        <SignedInHeader user={{ id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName, imageUrl: user.imageUrl }} />
        <div className="mx-auto grid w-full max-w-5xl flex-1 content-start gap-6 px-4 py-8 sm:grid-cols-[13rem_1fr] sm:gap-10 sm:px-6 sm:py-12">
          <AccountNav />
          <main id="main" className="min-w-0">
            {children}
          </main>
        </div>
        <SessionRefresher expiresAt={session.claims.exp} />
        <Toaster />
      </div>
    </SessionProvider>
  );
}
