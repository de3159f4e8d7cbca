import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { randomToken, sha256 } from "@/lib/crypto";
import { recordAuditEvent } from "@/lib/audit";
import { requireRecentVerification } from "@/lib/mfa/step-up";
import { getInstanceSettings } from "@/lib/settings";
import {
  actorOwnSession,
  issueTokenForSession,
  refreshSessionToken,
  type IssuedSessionToken,
  type RequestContext,
} from "@/lib/session";
import { openImpersonationSession } from "./attempts";

/**
 * Impersonation (S8): an admin acts as a user through an actor session whose
 * tokens carry `act: { sub: <admin id> }`. It is a layer over the admin's own
 * session on the same browser: opening it ends nothing (not the admin's
 * session, not the user's), stopping it goes back to the admin's session.
 * While it lasts, password, MFA, addresses, connected accounts and deletion
 * are refused (`requireOwnRequestAuth`), and admin pages are out of reach
 * (`requireAdmin*`: the token is the user's, with the user's role).
 */

/** An impersonation lasts at most this long (and never beyond the admin's own session). */
export const IMPERSONATION_MAX_MS = 60 * 60_000;

/** Where the browser goes once the impersonation has started. */
export const IMPERSONATION_LANDING_URL = "/account";

export type StartedImpersonation = {
  sessionId: string;
  userId: string;
  sessionToken: string;
  /** The token's `exp` (unix seconds). */
  expiresAt: number;
  /** When the impersonation ends at the latest. */
  sessionExpiresAt: Date;
  /** `__client` is re-issued whenever a session opens (no fixation, S2). */
  newClientToken: string;
  clientCookieMaxAgeSeconds: number;
  redirectUrl: string;
};

const sessionEnded = () => new AppError("session_invalid", "Your session has ended. Please sign in again.");

/**
 * Starts impersonating `targetUserId` on the admin's browser. The caller has
 * checked the request is an admin's (`requireAdminRequest`); this re-checks
 * the role in the DB, asks for a recent verification (step-up, S6) and
 * refuses admins, the admin themself, banned and deleted users.
 */
export async function startImpersonation(
  input: { adminId: string; adminSessionId: string; targetUserId: string; clientToken: string | null },
  context: RequestContext,
): Promise<StartedImpersonation> {
  const now = context.now ?? new Date();
  if (input.targetUserId === input.adminId) throw new AppError("forbidden", "You cannot impersonate yourself.");
  await requireRecentVerification({ sessionId: input.adminSessionId, userId: input.adminId }, now);
  return openImpersonation(
    { adminId: input.adminId, targetUserId: input.targetUserId, clientToken: input.clientToken, grant: { via: "admin", adminSessionId: input.adminSessionId } },
    context,
  );
}

/**
 * What lets an impersonation open, besides the admin's own session on this
 * browser (always required: the impersonation is a layer over it, and ends
 * with it, lib/session refresh):
 * - "admin": the admin started it from the user's page, with a recent step-up;
 *   `adminSessionId` is the session their token names.
 * - "actor_token": a link made through the backend API (S9, lib/sign-in/actor-tokens.ts);
 *   `consume` marks it used inside the transaction that opens the session, so it opens one, once.
 */
export type ImpersonationGrant =
  | { via: "admin"; adminSessionId: string }
  | { via: "actor_token"; actorTokenId: string; consume: (tx: Tx, now: Date) => Promise<void> };

/**
 * The one way an impersonation opens (S8), whatever granted it: the admin is
 * re-checked in the DB (an admin, not banned), the user must exist and be
 * neither an admin nor banned, the session lasts at most an hour and never
 * beyond the admin's own, and `impersonation.started` is audited in the same
 * transaction.
 */
export async function openImpersonation(
  input: { adminId: string; targetUserId: string; clientToken: string | null; grant: ImpersonationGrant },
  context: RequestContext,
): Promise<StartedImpersonation> {
  const now = context.now ?? new Date();
  if (input.targetUserId === input.adminId) throw new AppError("forbidden", "You cannot impersonate yourself.");
  const [admin, target] = await Promise.all([
    db.user.findUnique({ where: { id: input.adminId }, select: { role: true, banned: true } }),
    db.user.findUnique({ where: { id: input.targetUserId }, select: { id: true, role: true, banned: true } }),
  ]);
  if (!admin || admin.role !== "admin" || admin.banned) throw new AppError("forbidden", "Admins only.");
  if (!target) throw new AppError("not_found", "This user does not exist.");
  if (target.role === "admin") throw new AppError("forbidden", "Admins cannot be impersonated.");
  if (target.banned) throw new AppError("forbidden", "A banned user cannot be impersonated. Unban them first.");
  if (!input.clientToken) throw sessionEnded();
  const clientTokenHash = sha256(input.clientToken);
  const { grant } = input;

  // Read before the transaction (one DB connection: lib/db.ts).
  const settings = await getInstanceSettings();
  const opened = await db.$transaction(async (tx) => {
    const client = await tx.client.findUnique({ where: { tokenHash: clientTokenHash }, select: { id: true, lastActiveSessionId: true } });
    // The admin's own session, on this very browser: the impersonation sits on top of it.
    const adminSession = client
      ? await tx.session.findFirst({
          where: {
            ...(grant.via === "admin" ? { id: grant.adminSessionId } : {}),
            userId: input.adminId,
            clientId: client.id,
            actorId: null,
            status: "active",
            expiresAt: { gt: now },
          },
          orderBy: { lastActiveAt: "desc" },
          select: { id: true, expiresAt: true },
        })
      : null;
    if (!client || !adminSession) throw sessionEnded();
    const current = client.lastActiveSessionId
      ? await tx.session.findUnique({ where: { id: client.lastActiveSessionId }, select: { actorId: true, status: true } })
      : null;
    // One impersonation at a time per browser: a second would leave the first open underneath, unreachable by "Stop".
    if (current?.actorId && current.status === "active") throw new AppError("conflict", "Stop the current impersonation first.");
    if (grant.via === "actor_token") await grant.consume(tx, now);
    const hourFromNow = new Date(now.getTime() + IMPERSONATION_MAX_MS);
    const expiresAt = adminSession.expiresAt < hourFromNow ? adminSession.expiresAt : hourFromNow;
    const session = await openImpersonationSession(
      tx,
      { userId: target.id, actorId: input.adminId, client: { clientId: client.id, newClientToken: null }, expiresAt, settings },
      context,
    );
    await recordAuditEvent(
      {
        type: "impersonation.started",
        actorId: input.adminId,
        targetId: target.id,
        ip: context.ip,
        userAgent: context.userAgent,
        data: {
          sessionId: session.sessionId,
          adminSessionId: adminSession.id,
          expiresAt: expiresAt.toISOString(),
          ...(grant.via === "actor_token" ? { via: "actor_token", actorTokenId: grant.actorTokenId } : {}),
        },
      },
      tx,
    );
    return { ...session, expiresAt };
  });

  const issued = await issueTokenForSession(opened, { userId: target.id, role: target.role, actorId: input.adminId }, context);
  // Not `issued.deviceToken`: the admin's browser must not become a known device of the user (S10 lockout budget).
  return {
    sessionId: issued.sessionId,
    userId: issued.userId,
    sessionToken: issued.sessionToken,
    expiresAt: issued.expiresAt,
    sessionExpiresAt: opened.expiresAt,
    newClientToken: opened.newClientToken,
    clientCookieMaxAgeSeconds: opened.clientCookieMaxAgeSeconds,
    redirectUrl: IMPERSONATION_LANDING_URL,
  };
}

export type StoppedImpersonation = {
  /** Whom the admin was acting as (the admin page of that user is where they go next). */
  impersonatedUserId: string;
  /** The re-issued `__client` (S2: the browser's account changed). */
  newClientToken: string;
  clientCookieMaxAgeSeconds: number;
  /** A fresh token for the admin's own session, or null when it is gone (the browser signs out). */
  admin: IssuedSessionToken | null;
};

/**
 * Stops the impersonation this browser is in: the actor session ends, the
 * browser goes back to the admin's own session with a new `__client` token
 * and a fresh session token. 409 when this browser is not impersonating.
 */
export async function stopImpersonation(clientToken: string | null, context: RequestContext): Promise<StoppedImpersonation> {
  if (!clientToken) throw sessionEnded();
  const now = context.now ?? new Date();
  const settings = await getInstanceSettings();
  const newClientToken = randomToken(32);

  const stopped = await db.$transaction(async (tx) => {
    const client = await tx.client.findUnique({ where: { tokenHash: sha256(clientToken) }, select: { id: true, lastActiveSessionId: true } });
    if (!client) throw sessionEnded();
    const current = client.lastActiveSessionId
      ? await tx.session.findUnique({ where: { id: client.lastActiveSessionId }, select: { id: true, userId: true, actorId: true } })
      : null;
    if (!current?.actorId) throw new AppError("conflict", "You are not impersonating anyone.");

    await tx.session.updateMany({ where: { id: current.id, status: "active" }, data: { status: "ended", endedAt: now } });
    const own = await actorOwnSession(tx, { clientId: client.id, actorId: current.actorId }, now);
    // Only if the client still points at the impersonation: a concurrent stop has already done the rest.
    const { count } = await tx.client.updateMany({
      where: { id: client.id, lastActiveSessionId: current.id },
      data: { tokenHash: sha256(newClientToken), lastActiveSessionId: own?.id ?? null },
    });
    if (count !== 1) throw new AppError("conflict", "You are not impersonating anyone.");
    await recordAuditEvent(
      {
        type: "impersonation.stopped",
        actorId: current.actorId,
        targetId: current.userId,
        ip: context.ip,
        userAgent: context.userAgent,
        data: { sessionId: current.id, reason: "stopped", returnedToSessionId: own?.id ?? null },
      },
      tx,
    );
    return { impersonatedUserId: current.userId, returnToSession: own !== null };
  });

  // The usual checks and the token for the admin's session, through the one refresh path.
  const admin = stopped.returnToSession
    ? await refreshSessionToken(newClientToken, context).catch((error: unknown) => {
        if (isAppError(error) && error.code === "session_invalid") return null;
        throw error;
      })
    : null;
  return {
    impersonatedUserId: stopped.impersonatedUserId,
    newClientToken,
    clientCookieMaxAgeSeconds: settings.sessionMaxAgeDays * 86_400,
    admin,
  };
}
