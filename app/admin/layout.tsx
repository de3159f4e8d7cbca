import type { Metadata } from "next";
import type { ReactNode } from "react";
import { AdminNav } from "@/app/_components/admin/AdminNav";
import { SignedInShell } from "@/app/_components/SignedInShell";
import { auth, requireAdmin } from "@/lib/session/server";

export const metadata: Metadata = { title: "Admin" };

/**
 * The admin console (S8). Middleware already refused tokens without
 * role=admin; this layout and EVERY page re-check the role in the DB
 * (`requireAdmin()`): a layout alone does not guard a page's data.
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await requireAdmin();
  const session = (await auth())!;
  return (
    <SignedInShell user={user} session={session} nav={<AdminNav />} wide>
      {children}
    </SignedInShell>
  );
}
