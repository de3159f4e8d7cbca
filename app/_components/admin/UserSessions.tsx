"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "@/app/_components/ui/sonner";
import { FormAlert } from "../Alert";
import { Button } from "../Button";
import { ConfirmDialog } from "../account/ConfirmDialog";
import { adminPost, userPath } from "./admin-api";

export type AdminSessionRow = {
  id: string;
  device: string;
  ip: string | null;
  createdAt: string;
  lastActiveAt: string;
  impersonated: boolean;
};

/** A user's active sessions (S8) with "Sign out" per session and "Sign out everywhere". */
export function UserSessions({ userId, sessions }: { userId: string; sessions: AdminSessionRow[] }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function revoke(target: { sessionId: string } | { all: true }) {
    const key = "all" in target ? "all" : target.sessionId;
    setBusy(key);
    setError(null);
    const result = await adminPost(userPath(userId, "sessions/revoke"), target);
    setBusy(null);
    if (!result.ok) {
      setError(result.formError ?? "That did not work.");
      return;
    }
    toast.success("all" in target ? "Signed out of every session." : "Session signed out.");
    router.refresh();
  }

  if (sessions.length === 0) return <p className="text-sm text-muted-foreground">No active sessions.</p>;
  return (
    <div className="grid gap-3">
      <ul className="divide-y divide-border">
        {sessions.map((session) => (
          <li key={session.id} className="flex flex-wrap items-center justify-between gap-3 py-3 first:pt-0">
            <div className="min-w-0 text-sm">
              <p className="font-medium text-foreground">
                {session.device}
                {session.impersonated ? <span className="ml-2 text-xs font-normal text-warning">(impersonation)</span> : null}
              </p>
              <p className="text-muted-foreground">
                {session.ip ?? "Unknown IP"} · last active {session.lastActiveAt} · signed in {session.createdAt}
              </p>
            </div>
            <Button variant="secondary" loading={busy === session.id} disabled={busy !== null} onClick={() => revoke({ sessionId: session.id })} aria-label={`Sign out ${session.device}, last active ${session.lastActiveAt}`}>
              Sign out
            </Button>
          </li>
        ))}
      </ul>
      {sessions.length > 1 ? (
        <div>
          <ConfirmDialog
            trigger="Sign out everywhere"
            title="Sign out of every session?"
            description="Every device this user is signed in on is signed out within a minute."
            confirmLabel="Sign out everywhere"
            loading={busy === "all"}
            disabled={busy !== null}
            onConfirm={() => revoke({ all: true })}
          />
        </div>
      ) : null}
      <FormAlert message={error} />
    </div>
  );
}
