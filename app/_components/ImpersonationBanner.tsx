import "server-only";
import { VenetianMask } from "lucide-react";
import { auth } from "@/lib/session/server";
import { getUserProfile, type UserProfile } from "@/lib/users";

function describe(user: UserProfile | null, fallbackId: string): string {
  if (!user) return fallbackId;
  const name = [user.firstName, user.lastName].filter((part) => part?.trim()).join(" ");
  return user.email ? (name ? `${name} (${user.email})` : user.email) : name || user.id;
}

/**
 * The impersonation bar (S8), on every page from the root layout: who the
 * admin is acting as and a way back. A server component with a plain form
 * post, so it costs pages no JavaScript and works before (or without) any.
 * Renders nothing unless the session token carries `act` (no DB read then).
 */
export async function ImpersonationBanner() {
  // Best effort: a failure here must not take every page down; the server-side refusals do the guarding.
  const state = await auth().catch(() => null);
  if (!state?.actor) return null;
  const [user, admin] = await Promise.all([
    getUserProfile(state.userId).catch(() => null),
    getUserProfile(state.actor.sub).catch(() => null),
  ]);

  return (
    <div
      role="region"
      aria-label="Impersonation"
      className="border-b-2 border-amber-950 bg-amber-300 text-amber-950 dark:border-amber-200 dark:bg-amber-400"
    >
      <div className="mx-auto flex w-full max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2 sm:px-6">
        <p className="flex min-w-0 flex-1 items-start gap-2 text-sm leading-5 font-medium">
          <VenetianMask aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
          <span className="min-w-0 break-words">
            You are signed in as <strong className="font-semibold">{describe(user, state.userId)}</strong>{" "}
            (impersonated by {admin?.email ?? state.actor.sub})
          </span>
        </p>
        <form method="post" action="/api/auth/impersonation/stop" className="shrink-0">
          <button
            type="submit"
            className="inline-flex h-8 items-center rounded-md bg-amber-950 px-3 text-sm font-semibold text-amber-50 shadow-sm transition-colors hover:bg-amber-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-950"
          >
            Stop impersonating
          </button>
        </form>
      </div>
    </div>
  );
}
