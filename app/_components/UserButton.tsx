"use client";

import { Link2, LogOut, MonitorSmartphone, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { navigate, postJson } from "./api";
import { Avatar, type AvatarUser } from "./Avatar";
import { Spinner } from "./Spinner";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "./ui/dropdown-menu";

type Scope = "session" | "all";

const SIGN_OUTS: readonly { scope: Scope; label: string; Icon: typeof LogOut }[] = [
  { scope: "session", label: "Sign out", Icon: LogOut },
  { scope: "all", label: "Sign out of all devices", Icon: MonitorSmartphone },
];

/**
 * Avatar button with the account menu (S7): who is signed in, "Account
 * security", and sign out of this device or all of them. The menu itself is
 * radix's (ui/dropdown-menu.tsx); a sign-out keeps it open with a spinner
 * until the page changes, or shows why it failed.
 */
export function UserButton({ user }: { user: AvatarUser }) {
  const [pending, setPending] = useState<Scope | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fullName = [user.firstName, user.lastName].filter((part) => part && part.trim()).join(" ");

  async function signOut(scope: Scope) {
    if (pending) return;
    setPending(scope);
    setError(null);
    const result = await postJson<{ redirectUrl?: string }>("/api/auth/sign-out", { scope });
    if (result.ok) {
      navigate(result.data.redirectUrl || "/sign-in");
      return;
    }
    if (result.status === 401) {
      // Already signed out (expired or revoked elsewhere): the goal is reached.
      navigate("/sign-in");
      return;
    }
    setPending(null);
    setError(result.formError ?? "Could not sign out. Please try again.");
  }

  return (
    <>
      <DropdownMenu modal={false} onOpenChange={(open) => open && setError(null)}>
        <DropdownMenuTrigger
          aria-label="Open user menu"
          className="rounded-full transition-shadow hover:ring-4 hover:ring-border data-[state=open]:ring-4 data-[state=open]:ring-border"
        >
          <Avatar user={user} size="sm" />
        </DropdownMenuTrigger>
        <DropdownMenuContent aria-label="Account">
          <DropdownMenuLabel className="flex items-center gap-3">
            <Avatar user={user} />
            <span className="min-w-0">
              {fullName ? <span className="block truncate text-sm font-medium text-foreground">{fullName}</span> : null}
              {user.email ? (
                <span className={`block truncate text-sm ${fullName ? "text-muted-foreground" : "font-medium text-foreground"}`}>
                  {user.email}
                </span>
              ) : null}
            </span>
          </DropdownMenuLabel>
          <DropdownMenuSeparator />
          <DropdownMenuGroup className="grid p-1.5">
            <DropdownMenuItem asChild>
              <Link href="/account/security">
                <ShieldCheck aria-hidden="true" />
                Account security
              </Link>
            </DropdownMenuItem>
            <DropdownMenuItem asChild>
              <Link href="/account/connected-accounts">
                <Link2 aria-hidden="true" />
                Connected accounts
              </Link>
            </DropdownMenuItem>
          </DropdownMenuGroup>
          <DropdownMenuSeparator />
          <DropdownMenuGroup className="grid p-1.5">
            {SIGN_OUTS.map(({ scope, label, Icon }) => (
              <DropdownMenuItem
                key={scope}
                disabled={pending !== null && pending !== scope}
                aria-busy={pending === scope || undefined}
                // Stay open: the spinner shows until the next page replaces this one.
                onSelect={(event) => {
                  event.preventDefault();
                  void signOut(scope);
                }}
              >
                {pending === scope ? <Spinner className="size-4 text-muted-foreground" /> : <Icon aria-hidden="true" />}
                {label}
              </DropdownMenuItem>
            ))}
          </DropdownMenuGroup>
          {error ? (
            <DropdownMenuLabel className="border-t border-border text-sm font-normal text-destructive">{error}</DropdownMenuLabel>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>
      {/* Announced from outside the menu: a menu may only hold items, groups and separators. */}
      <p role="alert" className="sr-only">
        {error}
      </p>
    </>
  );
}
