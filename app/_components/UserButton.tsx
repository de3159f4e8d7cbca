"use client";

import { LogOut, MonitorSmartphone, Plus, Settings, ShieldCheck, Users } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { getJson, navigate, postJson } from "./api";
import { Avatar, type AvatarUser } from "./Avatar";
import { Spinner } from "./Spinner";
import { useImpersonator, useOptionalUser } from "./session/SessionProvider";
import { broadcastSessionEvent } from "./session/session-events";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "./ui/dropdown-menu";

type Scope = "session" | "all" | "browser";
type BrowserAccount = { sessionId: string; active: boolean; user: AvatarUser };
type AccountsResponse = { multiSession: boolean; accounts: BrowserAccount[] };

const displayName = (user: AvatarUser) => [user.firstName, user.lastName].filter((part) => part && part.trim()).join(" ");

/**
 * Avatar button with the account menu (S7): who is signed in, "Manage
 * account", sign out of this device or all of them. With multi-session on,
 * the other accounts signed in on this browser (one click switches; every
 * open tab follows), "Add account" and "Sign out of all accounts". The menu
 * is radix's (ui/dropdown-menu.tsx); an action keeps it open with a spinner
 * until the page changes, or shows why it failed.
 */
export function UserButton({ user: serverUser }: { user: AvatarUser }) {
  // The provider's copy follows profile changes at once; the server's is the first paint.
  const providerUser = useOptionalUser();
  const user = providerUser ?? serverUser;
  // A shortcut only: /admin checks the role in the DB itself.
  const isAdmin = providerUser?.role === "admin";
  // An impersonation session stands apart: no switching, and "all devices" is the user's to choose (the server refuses both).
  const impersonating = useImpersonator() !== null;
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [accounts, setAccounts] = useState<AccountsResponse | null>(null);
  const fullName = displayName(user);
  const others = accounts?.accounts.filter((account) => !account.active && account.user.id !== user.id) ?? [];

  async function loadAccounts() {
    const result = await getJson<AccountsResponse>("/api/auth/session/accounts");
    if (result.ok) setAccounts(result.data);
  }

  async function signOut(scope: Scope) {
    if (pending) return;
    setPending(scope);
    setError(null);
    const result = await postJson<{ redirectUrl?: string; signedInAs?: string }>("/api/auth/sign-out", { scope });
    if (result.ok) {
      broadcastSessionEvent("session");
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

  async function switchTo(account: BrowserAccount) {
    if (pending) return;
    setPending(account.sessionId);
    setError(null);
    const result = await postJson<{ status: string }>("/api/auth/session/switch", { sessionId: account.sessionId });
    if (result.ok) {
      broadcastSessionEvent("session");
      navigate("/");
      return;
    }
    setPending(null);
    setError(result.formError ?? "Could not switch accounts. Please try again.");
    void loadAccounts();
  }

  const signOuts: { scope: Scope; label: string; Icon: typeof LogOut }[] = [
    { scope: "session", label: others.length > 0 ? `Sign out of ${user.email ?? "this account"}` : "Sign out", Icon: LogOut },
    ...(impersonating ? [] : [{ scope: "all" as const, label: "Sign out of all devices", Icon: MonitorSmartphone }]),
    ...(!impersonating && accounts?.multiSession && others.length > 0 ? [{ scope: "browser" as const, label: "Sign out of all accounts", Icon: Users }] : []),
  ];

  return (
    <>
      <DropdownMenu
        modal={false}
        onOpenChange={(open) => {
          if (!open) return;
          setError(null);
          void loadAccounts();
        }}
      >
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
              <Link href="/account">
                <Settings aria-hidden="true" />
                Manage account
              </Link>
            </DropdownMenuItem>
            {isAdmin ? (
              <DropdownMenuItem asChild>
                <Link href="/admin">
                  <ShieldCheck aria-hidden="true" />
                  Admin console
                </Link>
              </DropdownMenuItem>
            ) : null}
          </DropdownMenuGroup>
          {accounts?.multiSession && !impersonating ? (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuGroup className="grid p-1.5" aria-label="Other accounts">
                {others.map((account) => (
                  <DropdownMenuItem
                    key={account.sessionId}
                    disabled={pending !== null && pending !== account.sessionId}
                    aria-busy={pending === account.sessionId || undefined}
                    aria-label={`Switch to ${account.user.email ?? displayName(account.user)}`}
                    onSelect={(event) => {
                      event.preventDefault();
                      void switchTo(account);
                    }}
                  >
                    {pending === account.sessionId ? <Spinner className="size-4 text-muted-foreground" /> : <Avatar user={account.user} size="xs" />}
                    <span className="min-w-0 truncate">{account.user.email ?? displayName(account.user)}</span>
                  </DropdownMenuItem>
                ))}
                <DropdownMenuItem asChild>
                  <Link href={`/sign-in?${new URLSearchParams({ redirect_url: "/" })}`}>
                    <Plus aria-hidden="true" />
                    Add account
                  </Link>
                </DropdownMenuItem>
              </DropdownMenuGroup>
            </>
          ) : null}
          <DropdownMenuSeparator />
          <DropdownMenuGroup className="grid p-1.5">
            {signOuts.map(({ scope, label, Icon }) => (
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
