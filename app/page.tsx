import type { Metadata } from "next";
import type { ReactNode } from "react";
import { auth, requireUser } from "@/lib/session/server";
import { SessionRefresher } from "./_components/SessionRefresher";
import { SessionProvider } from "./_components/session/SessionProvider";
import { SignedInHeader } from "./_components/SignedInHeader";

export const metadata: Metadata = { title: "Home" };

const memberSince = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" });

/** Signed-in home. Middleware protects the route; requireUser() is the server-side backstop. */
export default async function HomePage() {
  const user = await requireUser();
  const session = await auth();
  const displayName = user.firstName?.trim() || user.email || "there";
  const fullName = [user.firstName, user.lastName].filter((part) => part && part.trim()).join(" ");

  const { createdAt: _createdAt, ...clientUser } = user;
  const clientSession = session ? { id: session.sessionId, expiresAt: session.claims.exp, actor: session.actor } : null;

  return (
    <SessionProvider user={clientUser} session={clientSession}>
      <div className="flex min-h-dvh flex-col">
        <SignedInHeader
          user={{
            id: user.id,
            email: user.email,
            firstName: user.firstName,
            lastName: user.lastName,
            imageUrl: user.imageUrl,
          }}
        />

        <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 py-10 sm:px-6 sm:py-14">
          <h1 className="text-2xl font-semibold tracking-tight text-foreground sm:text-3xl">Welcome, {displayName}</h1>
          <p className="mt-2 text-muted-foreground">Signed in as {user.email ?? user.id}</p>

          <section
            aria-labelledby="account-heading"
            className="mt-8 max-w-2xl rounded-xl border border-border bg-card text-card-foreground shadow-sm"
          >
            <div className="border-b border-border px-5 py-4 sm:px-6">
              <h2 id="account-heading" className="text-base font-semibold">
                Account details
              </h2>
              {fullName ? <p className="mt-0.5 text-sm text-muted-foreground">{fullName}</p> : null}
            </div>
            <dl className="divide-y divide-border text-sm">
              <Detail label="User ID">
                <code className="font-mono text-[0.8125rem] break-all">{user.id}</code>
              </Detail>
              <Detail label="Role">
                <span
                  className={`inline-flex items-center rounded-full border px-2 py-0.5 text-xs font-medium ${
                    user.role === "admin" ? "border-brand/40 text-brand" : "border-border text-muted-foreground"
                  }`}
                >
                  {user.role === "admin" ? "Admin" : "User"}
                </span>
              </Detail>
              <Detail label="Member since">
                <time dateTime={user.createdAt.toISOString()}>{memberSince.format(user.createdAt)}</time>
              </Detail>
              <Detail label="Session ID">
                <code className="font-mono text-[0.8125rem] break-all">{session?.sessionId ?? "Unknown"}</code>
              </Detail>
            </dl>
          </section>
        </main>

        <SessionRefresher expiresAt={session?.claims.exp} />
      </div>
    </SessionProvider>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 px-5 py-3.5 sm:grid-cols-[10rem_1fr] sm:gap-4 sm:px-6">
      <dt className="font-medium text-muted-foreground">{label}</dt>
      <dd className="min-w-0 text-foreground">{children}</dd>
    </div>
  );
}
