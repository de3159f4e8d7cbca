import "server-only";
import { db } from "@/lib/db";
import { sha256 } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { refreshSessionToken, type IssuedSessionToken, type RequestContext } from "./sessions";

/**
 * The accounts signed in on one browser (S2 multi-session): each active
 * session of the client, one of them the active one (the one `__session`
 * carries). Switching changes which one is active and mints its token in the
 * same request; every other tab follows at its next refresh (and at once,
 * through the page's broadcast, app/_components/session-events.ts).
 * An impersonation (S8) is not one of the browser's accounts: it is neither
 * listed nor a switch target, and the browser switches nothing while in one.
 */
export type BrowserAccount = {
  sessionId: string;
  active: boolean;
  user: { id: string; firstName: string | null; lastName: string | null; email: string | null; imageUrl: string | null };
};

export async function listBrowserAccounts(clientToken: string | null, now = new Date()): Promise<BrowserAccount[]> {
  if (!clientToken) return [];
  const client = await db.client.findUnique({
    where: { tokenHash: sha256(clientToken) },
    select: {
      lastActiveSessionId: true,
      sessions: {
        where: { status: "active", actorId: null, expiresAt: { gt: now }, user: { banned: false } },
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          user: {
            select: {
              id: true,
              firstName: true,
              lastName: true,
              imageUrl: true,
              primaryEmailAddressId: true,
              emailAddresses: { select: { id: true, email: true } },
            },
          },
        },
      },
    },
  });
  if (!client) return [];
  return client.sessions.map((session) => ({
    sessionId: session.id,
    active: session.id === client.lastActiveSessionId,
    user: {
      id: session.user.id,
      firstName: session.user.firstName,
      lastName: session.user.lastName,
      imageUrl: session.user.imageUrl,
      email: session.user.emailAddresses.find((address) => address.id === session.user.primaryEmailAddressId)?.email ?? null,
    },
  }));
}

/**
 * Makes another signed-in account of this browser the active one and mints
 * its token. Only a session of this very client, still active, qualifies;
 * anything else is 404 (no hint whether the id exists elsewhere).
 */
export async function switchActiveSession(clientToken: string | null, sessionId: string, context: RequestContext): Promise<IssuedSessionToken> {
  if (!clientToken) throw new AppError("session_invalid", "Sign in to continue.");
  const now = context.now ?? new Date();
  const switched = await db.$transaction(async (tx) => {
    const client = await tx.client.findUnique({ where: { tokenHash: sha256(clientToken) }, select: { id: true, lastActiveSessionId: true } });
    if (!client) throw new AppError("session_invalid", "Sign in to continue.");
    const current = client.lastActiveSessionId
      ? await tx.session.findUnique({ where: { id: client.lastActiveSessionId }, select: { actorId: true, status: true } })
      : null;
    if (current?.actorId && current.status === "active") {
      throw new AppError("conflict", "Stop impersonating before switching accounts.");
    }
    const target = await tx.session.findFirst({
      where: { id: sessionId, clientId: client.id, status: "active", actorId: null, expiresAt: { gt: now } },
      select: { id: true, userId: true },
    });
    if (!target) throw new AppError("not_found", "That account is no longer signed in on this browser.");
    await tx.client.update({ where: { id: client.id }, data: { lastActiveSessionId: target.id } });
    await recordAuditEvent(
      { type: "session.switched", actorId: target.userId, targetId: target.id, ip: context.ip, userAgent: context.userAgent, data: { from: client.lastActiveSessionId } },
      tx,
    );
    return target;
  });
  // The usual checks (user banned, lifetimes) and the token, through the one refresh path.
  const issued = await refreshSessionToken(clientToken, context);
  if (issued.sessionId !== switched.id) throw new AppError("conflict", "The active account changed at the same moment. Try again.");
  return issued;
}
