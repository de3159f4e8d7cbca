"use client";

import { createContext, use, useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import { getJson, withSession } from "../api";
import { broadcastSessionEvent, onSessionEvent } from "./session-events";
import { getToken } from "./get-token";

export { getToken, GetTokenError, type GetTokenOptions } from "./get-token";

/**
 * The client API for pages of this app (S7): `useUser()`, `useSession()`,
 * `<SignedIn>`, `<SignedOut>`, `<Protect>`. The server renders the first
 * value (no loading flash); `refreshUser()` after a profile change updates
 * this tab at once and tells the other tabs to fetch it too.
 */
export type ClientUser = {
  id: string;
  email: string | null;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  imageUrl: string | null;
  role: "user" | "admin";
};
export type ClientSession = { id: string; expiresAt: number; actor: { sub: string } | null };

type SessionState = {
  user: ClientUser | null;
  session: ClientSession | null;
  /** Fetches the user again (after a change) and has the other tabs do the same. */
  refreshUser: () => Promise<void>;
};

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ user: initialUser, session: initialSession, children }: { user: ClientUser | null; session: ClientSession | null; children: ReactNode }) {
  const [user, setUser] = useState(initialUser);
  const [session, setSession] = useState(initialSession);

  const load = useCallback(async () => {
    // The token may have expired while this tab sat in the background: withSession refreshes it first.
    const result = await withSession(() => getJson<{ user: ClientUser & { createdAt?: string }; session: ClientSession }>("/api/auth/session"));
    if (result.ok) {
      const { createdAt: _createdAt, ...next } = result.data.user;
      setUser(next);
      setSession(result.data.session);
    } else if (result.status === 401) {
      setUser(null);
      setSession(null);
    }
  }, []);

  const refreshUser = useCallback(async () => {
    await load();
    broadcastSessionEvent("user");
  }, [load]);

  useEffect(
    () =>
      onSessionEvent((event) => {
        // Another tab switched accounts or signed out: this page belongs to someone else now.
        if (event === "session") window.location.reload();
        else void load();
      }),
    [load],
  );

  const value = useMemo(() => ({ user, session, refreshUser }), [user, session, refreshUser]);
  return <SessionContext value={value}>{children}</SessionContext>;
}

function useSessionState(): SessionState {
  const state = use(SessionContext);
  if (!state) throw new Error("useUser(), useSession() and <SignedIn> need a <SessionProvider> above them");
  return state;
}

/** The signed-in user (null when signed out), kept current after profile changes. */
export function useUser(): { user: ClientUser | null; isSignedIn: boolean; refreshUser: () => Promise<void> } {
  const { user, refreshUser } = useSessionState();
  return { user, isSignedIn: user !== null, refreshUser };
}

/** The session, and `getToken({ template? })` for a JWT to send to another service (S9). */
export function useSession(): { session: ClientSession | null; isSignedIn: boolean; getToken: typeof getToken } {
  const { session } = useSessionState();
  return { session, isSignedIn: session !== null, getToken };
}

/** The signed-in user when inside a provider, else null (components usable on both sides). */
export function useOptionalUser(): ClientUser | null {
  return use(SessionContext)?.user ?? null;
}

/** Who is acting through this session when an admin impersonates its user (S8), else null; null outside a provider too. */
export function useImpersonator(): { sub: string } | null {
  return use(SessionContext)?.session?.actor ?? null;
}

export function SignedIn({ children }: { children: ReactNode }) {
  return useSessionState().user ? children : null;
}

export function SignedOut({ children }: { children: ReactNode }) {
  return useSessionState().user ? null : children;
}

/** Renders its children only for a signed-in user who passes the check (a role, or any condition). */
export function Protect({
  role,
  condition,
  fallback = null,
  children,
}: {
  role?: "admin" | "user";
  condition?: (user: ClientUser) => boolean;
  fallback?: ReactNode;
  children: ReactNode;
}) {
  const { user } = useSessionState();
  const allowed = user !== null && (role === undefined || user.role === role || (role === "user" && user.role === "admin")) && (condition?.(user) ?? true);
  return allowed ? children : fallback;
}
