import type { ReactNode } from "react";
import type { AuthState } from "@/lib/session/server";
import type { UserProfile } from "@/lib/users";
import { SessionRefresher } from "./SessionRefresher";
import { SignedInHeader } from "./SignedInHeader";
import { SessionProvider } from "./session/SessionProvider";
import { Toaster } from "./ui/sonner";

/**
 * The frame of the signed-in areas (account pages, admin console): the
 * header with the account menu, a section navigation beside the page, one
 * toast region and the session refresher.
 */
export function SignedInShell({
  user,
  session,
  nav,
  wide = false,
  children,
}: {
  user: UserProfile;
  session: AuthState;
  nav: ReactNode;
  /** The admin console's tables want more room than the account pages' forms. */
  wide?: boolean;
  children: ReactNode;
}) {
  const { createdAt: _createdAt, ...clientUser } = user;
  return (
    <SessionProvider user={clientUser} session={{ id: session.sessionId, expiresAt: session.claims.exp, actor: session.actor }}>
      <div className="flex min-h-dvh flex-col">
        <SignedInHeader user={{ id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName, imageUrl: user.imageUrl }} />
        <div
          className={[
            "mx-auto grid w-full flex-1 grid-cols-1 content-start gap-6 px-4 py-8 sm:gap-10 sm:px-6 sm:py-12",
            wide ? "max-w-6xl sm:grid-cols-[12rem_minmax(0,1fr)]" : "max-w-5xl sm:grid-cols-[13rem_minmax(0,1fr)]",
          ].join(" ")}
        >
          {nav}
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
