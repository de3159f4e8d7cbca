import type { ReactNode } from "react";
import { redirect } from "next/navigation";
import { AccountNav } from "@/app/_components/account/AccountNav";
import { SignedInShell } from "@/app/_components/SignedInShell";
import { auth, currentUser } from "@/lib/session/server";

/**
 * The account pages (S7) around each page's sections. Middleware sends
 * signed-out visitors to sign-in first; this is the backstop.
 */
export default async function AccountLayout({ children }: { children: ReactNode }) {
  const [session, user] = await Promise.all([auth(), currentUser()]);
  if (!session || !user) redirect("/sign-in?redirect_url=%2Faccount");
  return (
    <SignedInShell user={user} session={session} nav={<AccountNav />}>
      {children}
    </SignedInShell>
  );
}
