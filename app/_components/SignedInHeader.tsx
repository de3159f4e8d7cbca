import Link from "next/link";
import type { AvatarUser } from "./Avatar";
import { pageBranding } from "./branding";
import { LogoMark } from "./LogoMark";
import { UserButton } from "./UserButton";

/** The top bar of every signed-in page: the instance's mark and name (home) and the account menu. */
export async function SignedInHeader({ user }: { user: AvatarUser }) {
  const { instanceName } = await pageBranding();
  return (
    <header className="sticky top-0 z-30 border-b border-border bg-card/85 backdrop-blur supports-[backdrop-filter]:bg-card/70">
      <div className="mx-auto flex h-14 w-full max-w-5xl items-center justify-between gap-4 px-4 sm:px-6">
        <Link href="/" className="flex min-w-0 items-center gap-2.5 rounded-md font-semibold text-foreground">
          <LogoMark size="sm" />
          <span className="truncate">{instanceName}</span>
        </Link>
        <UserButton user={user} />
      </div>
    </header>
  );
}
