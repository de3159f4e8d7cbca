"use client";

import { useEffect, useId, useRef, useState, type FocusEvent, type KeyboardEvent } from "react";
import { navigate, postJson } from "./api";
import { Avatar, type AvatarUser } from "./Avatar";
import { Spinner } from "./Spinner";

type Scope = "session" | "all";

const ITEMS: readonly { scope: Scope; label: string }[] = [
  { scope: "session", label: "Sign out" },
  { scope: "all", label: "Sign out of all devices" },
];

/**
 * Avatar button with the account menu (WAI-ARIA menu button pattern): Enter,
 * Space or ArrowDown open it on the first item, ArrowUp on the last; arrows,
 * Home and End move; Escape closes and returns focus; Tab or a click outside
 * closes it.
 */
export function UserButton({ user }: { user: AvatarUser }) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState<Scope | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const focusTarget = useRef<"first" | "last">("first");
  const menuId = useId();
  const buttonId = useId();

  const fullName = [user.firstName, user.lastName].filter((part) => part && part.trim()).join(" ");

  useEffect(() => {
    if (!open) return;
    const items = itemRefs.current.filter((item): item is HTMLButtonElement => item !== null);
    (focusTarget.current === "last" ? items[items.length - 1] : items[0])?.focus();

    function onPointerDown(event: PointerEvent) {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    }
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open]);

  function openMenu(target: "first" | "last") {
    focusTarget.current = target;
    setError(null);
    setOpen(true);
  }

  function closeMenu(restoreFocus: boolean) {
    setOpen(false);
    if (restoreFocus) buttonRef.current?.focus();
  }

  function onButtonKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      openMenu(event.key === "ArrowUp" ? "last" : "first");
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      closeMenu(true);
    }
  }

  function onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const items = itemRefs.current.filter((item): item is HTMLButtonElement => item !== null);
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    const focusAt = (next: number) => items[(next + items.length) % items.length]?.focus();
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        focusAt(index + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        focusAt(index < 0 ? items.length - 1 : index - 1);
        break;
      case "Home":
        event.preventDefault();
        focusAt(0);
        break;
      case "End":
        event.preventDefault();
        focusAt(items.length - 1);
        break;
      case "Escape":
        event.preventDefault();
        closeMenu(true);
        break;
      case "Tab":
        setOpen(false);
        break;
    }
  }

  function onRootBlur(event: FocusEvent<HTMLDivElement>) {
    const next = event.relatedTarget as Node | null;
    if (open && next && !rootRef.current?.contains(next)) setOpen(false);
  }

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
    <div ref={rootRef} className="relative" onBlur={onRootBlur}>
      <button
        ref={buttonRef}
        id={buttonId}
        type="button"
        aria-label="Open user menu"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? closeMenu(false) : openMenu("first"))}
        onKeyDown={onButtonKeyDown}
        className="rounded-full transition-shadow hover:ring-4 hover:ring-border"
      >
        <Avatar user={user} size="sm" />
      </button>

      {open ? (
        <div className="absolute top-full right-0 z-40 mt-2 w-72 max-w-[calc(100vw-2rem)] origin-top-right rounded-xl border border-border bg-card text-card-foreground shadow-lg shadow-black/10">
          <div className="flex items-center gap-3 border-b border-border px-4 py-3">
            <Avatar user={user} />
            <div className="min-w-0">
              {fullName ? <p className="truncate text-sm font-medium text-foreground">{fullName}</p> : null}
              {user.email ? (
                <p className={`truncate text-sm ${fullName ? "text-muted-foreground" : "font-medium text-foreground"}`}>
                  {user.email}
                </p>
              ) : null}
            </div>
          </div>
          <div
            id={menuId}
            role="menu"
            aria-label="Account"
            aria-orientation="vertical"
            onKeyDown={onMenuKeyDown}
            className="grid p-1.5"
          >
            {ITEMS.map((item, index) => (
              <button
                key={item.scope}
                ref={(element) => {
                  itemRefs.current[index] = element;
                }}
                type="button"
                role="menuitem"
                tabIndex={-1}
                aria-disabled={pending !== null && pending !== item.scope ? true : undefined}
                aria-busy={pending === item.scope || undefined}
                onClick={() => void signOut(item.scope)}
                className="flex w-full items-center gap-2.5 rounded-md px-2.5 py-2 text-left text-sm text-foreground hover:bg-muted focus-visible:bg-muted focus-visible:outline-offset-0 aria-disabled:opacity-60"
              >
                {pending === item.scope ? (
                  <Spinner className="size-4 text-muted-foreground" />
                ) : (
                  <SignOutIcon all={item.scope === "all"} />
                )}
                {item.label}
              </button>
            ))}
          </div>
          <div role="alert" className="px-4 empty:hidden">
            {error ? <p className="pb-3 text-sm text-destructive">{error}</p> : null}
          </div>
        </div>
      ) : null}
    </div>
  );
}

function SignOutIcon({ all }: { all: boolean }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" className="size-4 text-muted-foreground">
      {all ? (
        <>
          <rect x="2.5" y="3.5" width="10" height="7" rx="1.2" />
          <path d="M5.5 13.5h4M7.5 10.5v3" />
          <path d="M14 8.5h4.5M16.5 6.5l2 2-2 2" />
        </>
      ) : (
        <>
          <path d="M8 17H4.5A1.5 1.5 0 0 1 3 15.5v-11A1.5 1.5 0 0 1 4.5 3H8" />
          <path d="M13 14l4-4-4-4M17 10H8" />
        </>
      )}
    </svg>
  );
}
