import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { randomToken, sha256 } from "@/lib/crypto";
import { recordAuditEvent } from "@/lib/audit";
import { getInstanceSettings, type InstanceSettings } from "@/lib/settings";
import { mintSessionToken } from "./tokens";
import type { ResolvedClient } from "./clients";
import { emitSessionEvents } from "@/lib/webhooks/events";
import { rememberDevice } from "./known-device";

/** What a session operation needs to know about the request it serves. */
export type RequestContext = {
  ip: string | null;
  userAgent: string | null;
  /** `iss` of minted tokens: the instance origin. */
  issuer: string;
  /** `azp` of minted tokens: the origin the request came from. */
  authorizedParty: string;
  /** The browser's device cookie (a browser that has signed in before, S10), if it sent one. */
  deviceToken?: string | null;
  now?: Date;
};

export type IssuedSessionToken = {
  sessionId: string;
  userId: string;
  sessionToken: string;
  /** Unix seconds. */
  expiresAt: number;
};

export type StartedSession = IssuedSessionToken & {
  /** The browser's new `__client` token: re-issued whenever a session opens (no fixation, S2). */
  newClientToken: string;
  /** `__client` lifetime: the session-lifetime setting. */
  clientCookieMaxAgeSeconds: number;
  /** The device cookie, now also naming this user (a known device keeps its own sign-in budget, S10). */
  deviceToken: string;
};

export type OpenedSession = {
  sessionId: string;
  clientId: string;
  newClientToken: string;
  clientCookieMaxAgeSeconds: number;
};

/**
 * `lastActiveAt` is written at most this often, so token refreshes (every 50 s
 * per open page) stay read-only most of the time. With an inactivity timeout
 * the interval shrinks so the timeout stays accurate to within half its length.
 */
const LAST_ACTIVE_WRITE_INTERVAL_MS = 5 * 60_000;

function lastActiveWriteInterval(inactivityTimeoutMinutes: number | null): number {
  if (inactivityTimeoutMinutes === null) return LAST_ACTIVE_WRITE_INTERVAL_MS;
  return Math.min(LAST_ACTIVE_WRITE_INTERVAL_MS, (inactivityTimeoutMinutes * 60_000) / 2);
}

const SESSION_INVALID = "Your session has ended. Please sign in again.";

/**
 * The `__client` cookie names no client: never valid, or replaced a moment ago
 * by a response the browser is still applying (a sign-in, an account switch,
 * an impersonation re-issue the client token). A refresh sent just before
 * that response carries the old value; its answer must not clear the cookies
 * the newer response set.
 */
export class UnknownClientError extends AppError {
  constructor() {
    super("session_invalid", SESSION_INVALID);
  }
}

/**
 * Opens a session for `userId` on the browser's client inside the caller's
 * transaction (so a failed sign-up leaves nothing behind); its first token is
 * minted once the transaction has committed (`issueTokenForSession`).
 *
 * The client's token is replaced here: a `__client` value that was in the
 * browser before (say one an attacker obtained and planted) stops working the
 * moment a session opens on it (session fixation, S2). Only the sign-in
 * attempt module (lib/sign-in/attempts.ts) calls this; a test keeps it so.
 * `settings` are read by the caller before the transaction (lib/db.ts).
 */
export async function openSession(
  tx: Tx,
  input: {
    userId: string;
    client: ResolvedClient;
    /** An impersonation (S8): the admin acting as `userId`; the tokens carry `act.sub`. */
    actorId?: string | null;
    /** Ends sooner than the session-lifetime setting (an impersonation lasts at most 1 h). */
    expiresAt?: Date;
  },
  settings: Pick<InstanceSettings, "multiSession" | "sessionMaxAgeDays">,
  context: RequestContext,
): Promise<OpenedSession> {
  const now = context.now ?? new Date();
  const { clientId } = input.client;
  const actorId = input.actorId ?? null;

  // One session per user per client; without multi-session, one session per client.
  // A client created in this request has no sessions yet: nothing to end.
  // An impersonation ends nothing: the admin's own session waits underneath it
  // (stopping returns to it) and the user's own sessions are not the admin's to end.
  if (!input.client.newClientToken && !actorId) {
    await tx.session.updateMany({
      where: { clientId, status: "active", userId: input.userId },
      data: { status: "replaced", endedAt: now },
    });
    // Signing in on a browser ends any impersonation left on it (it was only ever a layer over the admin's session).
    await tx.session.updateMany({
      where: settings.multiSession ? { clientId, status: "active", actorId: { not: null } } : { clientId, status: "active" },
      data: { status: "ended", endedAt: now },
    });
  }

  const maxExpiry = new Date(now.getTime() + settings.sessionMaxAgeDays * 86_400_000);
  const session = await tx.session.create({
    data: {
      id: newId("session"),
      userId: input.userId,
      clientId,
      actorId,
      ip: context.ip,
      userAgent: context.userAgent?.slice(0, 512),
      createdAt: now,
      lastActiveAt: now,
      // The admin proved who THEY are, not the user: an impersonation never counts as a recent verification (S6).
      ...(actorId ? { verifiedAt: new Date(0) } : {}),
      expiresAt: input.expiresAt && input.expiresAt < maxExpiry ? input.expiresAt : maxExpiry,
    },
  });
  const newClientToken = randomToken(32);
  await tx.client.update({
    where: { id: clientId },
    data: { tokenHash: sha256(newClientToken), lastActiveSessionId: session.id },
  });
  await emitSessionEvents(tx, "session.created", { id: session.id }, now);
  return { sessionId: session.id, clientId, newClientToken, clientCookieMaxAgeSeconds: settings.sessionMaxAgeDays * 86_400 };
}

/**
 * The admin's own session under an impersonation on this client (S8): active,
 * unexpired, not itself an impersonation, its user not banned. Null when there
 * is nothing to return to. `actorIsAdmin`: whether that user is still an admin
 * (an impersonation lasts only as long as the role does).
 */
export async function actorOwnSession(
  tx: Tx,
  input: { clientId: string; actorId: string },
  now: Date,
): Promise<{ id: string; actorIsAdmin: boolean } | null> {
  const own = await tx.session.findFirst({
    where: { clientId: input.clientId, userId: input.actorId, actorId: null, status: "active", expiresAt: { gt: now }, user: { banned: false } },
    orderBy: { lastActiveAt: "desc" },
    select: { id: true, user: { select: { role: true } } },
  });
  return own ? { id: own.id, actorIsAdmin: own.user.role === "admin" } : null;
}

const sessionForRefresh = (sessionId: string) =>
  db.session.findUnique({
    where: { id: sessionId },
    include: {
      user: {
        select: {
          id: true,
          role: true,
          banned: true,
          primaryEmailAddressId: true,
          emailAddresses: { where: { verified: true }, select: { id: true } },
        },
      },
    },
  });

type SessionForRefresh = NonNullable<Awaited<ReturnType<typeof sessionForRefresh>>>;

function hasTimedOut(session: Pick<SessionForRefresh, "expiresAt" | "lastActiveAt">, idleLimitMinutes: number | null, now: Date): boolean {
  return (
    session.expiresAt <= now ||
    (idleLimitMinutes !== null && now.getTime() - session.lastActiveAt.getTime() > idleLimitMinutes * 60_000)
  );
}

/**
 * An impersonation that is over (its hour is up, it was ended or revoked, its
 * user was banned, or the admin's own session or role is gone) ends here, and
 * the client goes back to the admin's own session when there is one, so the
 * admin is not signed out with it. Returns the session to refresh: the admin's
 * own, or the impersonation itself while it is still good (with the admin's
 * session id, kept alive alongside it: the admin is active, just as someone else).
 */
async function endFinishedImpersonation(
  session: SessionForRefresh & { actorId: string },
  clientId: string,
  idleLimitMinutes: number | null,
  context: RequestContext,
  now: Date,
): Promise<{ session: SessionForRefresh; ownSessionId: string | null }> {
  const own = await actorOwnSession(db, { clientId, actorId: session.actorId }, now);
  const timedOut = hasTimedOut(session, idleLimitMinutes, now);
  if (own?.actorIsAdmin && session.status === "active" && !timedOut && !session.user.banned) return { session, ownSessionId: own.id };

  await db.$transaction(async (tx) => {
    await tx.session.updateMany({
      where: { id: session.id, status: "active" },
      data: { status: timedOut ? "expired" : "ended", endedAt: now },
    });
    // Conditional on the client still pointing at it: of concurrent refreshes one moves it (and audits).
    const { count } = await tx.client.updateMany({
      where: { id: clientId, lastActiveSessionId: session.id },
      data: { lastActiveSessionId: own?.id ?? null },
    });
    if (count === 1) {
      await recordAuditEvent(
        {
          type: "impersonation.stopped",
          actorId: session.actorId,
          targetId: session.userId,
          ip: context.ip,
          userAgent: context.userAgent,
          data: { sessionId: session.id, reason: timedOut ? "expired" : "ended", returnedToSessionId: own?.id ?? null },
        },
        tx,
      );
    }
  });
  const fallback = own ? await sessionForRefresh(own.id) : null;
  if (!fallback) throw new AppError("session_invalid", SESSION_INVALID);
  return { session: fallback, ownSessionId: null };
}

/**
 * The handshake and refresh check (S2): finds the client's active session,
 * re-checks the session row, the user's status and the lifetimes in the DB,
 * and mints a fresh token. Anything wrong -> `session_invalid`. An
 * impersonation that is over falls back to the admin's own session (S8).
 */
export async function refreshSessionToken(clientToken: string | null, context: RequestContext): Promise<IssuedSessionToken> {
  if (!clientToken) throw new AppError("session_invalid", SESSION_INVALID);
  const now = context.now ?? new Date();
  const client = await db.client.findUnique({
    where: { tokenHash: sha256(clientToken) },
    select: { id: true, lastActiveSessionId: true },
  });
  if (!client) throw new UnknownClientError();
  return refreshClientSession(clientToken, client, context);
}

/**
 * The rest of `refreshSessionToken`, for the client row it read (exported for a
 * test that hands it a row read before another request changed the client).
 */
export async function refreshClientSession(
  clientToken: string,
  client: { id: string; lastActiveSessionId: string | null },
  context: RequestContext,
): Promise<IssuedSessionToken> {
  const now = context.now ?? new Date();
  if (!client.lastActiveSessionId) throw new AppError("session_invalid", SESSION_INVALID);

  let session = await sessionForRefresh(client.lastActiveSessionId);
  if (!session) throw await sessionGoneOrCookieReplaced(clientToken, client);

  const settings = await getInstanceSettings();
  const idleLimit = settings.inactivityTimeoutMinutes;
  let alsoActive: string | null = null;
  if (session.actorId) {
    ({ session, ownSessionId: alsoActive } = await endFinishedImpersonation({ ...session, actorId: session.actorId }, client.id, idleLimit, context, now));
  }
  if (session.status !== "active") throw await sessionGoneOrCookieReplaced(clientToken, client);

  if (hasTimedOut(session, idleLimit, now)) {
    await db.session.updateMany({ where: { id: session.id, status: "active" }, data: { status: "expired", endedAt: now } });
    throw new AppError("session_invalid", SESSION_INVALID);
  }
  const { user } = session;
  // A lockout only stops password sign-in from unknown browsers; existing sessions survive it (S10).
  if (user.banned) throw new AppError("session_invalid", SESSION_INVALID);

  if (now.getTime() - session.lastActiveAt.getTime() > lastActiveWriteInterval(idleLimit)) {
    const ids = alsoActive ? [session.id, alsoActive] : [session.id];
    await db.session.updateMany({ where: { id: { in: ids } }, data: { lastActiveAt: now } });
  }
  const emailVerified = user.emailAddresses.some((address) => address.id === user.primaryEmailAddressId);
  const minted = await mintSessionToken(
    { userId: user.id, sessionId: session.id, role: user.role, emailVerified, actorId: session.actorId },
    context,
  );
  return { sessionId: session.id, userId: user.id, sessionToken: minted.token, expiresAt: minted.expiresAt };
}

/**
 * The client's session was found ended. Between reading the client and its
 * session, another request of this browser may have moved the client on (a
 * sign-out of one account with multi-session on points it at another session;
 * a stopped impersonation also rotates its token): then this request saw a
 * stale state and its answer must not clear the cookies, so it fails as an
 * unknown client (401, cookies kept, the page asks again).
 */
async function sessionGoneOrCookieReplaced(clientToken: string, seen: { id: string; lastActiveSessionId: string | null }): Promise<AppError> {
  const current = await db.client.findUnique({ where: { tokenHash: sha256(clientToken) }, select: { id: true, lastActiveSessionId: true } });
  if (!current || current.id !== seen.id || current.lastActiveSessionId !== seen.lastActiveSessionId) return new UnknownClientError();
  return new AppError("session_invalid", SESSION_INVALID);
}

async function isPrimaryEmailVerified(userId: string): Promise<boolean> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { primaryEmailAddressId: true, emailAddresses: { where: { verified: true }, select: { id: true } } },
  });
  return Boolean(user?.emailAddresses.some((address) => address.id === user.primaryEmailAddressId));
}

/** Mints the first token of a session opened by `openSession`, and remembers this browser as a known device of the user. */
export async function issueTokenForSession(
  opened: OpenedSession,
  subject: { userId: string; role: "user" | "admin"; actorId?: string | null; emailVerified?: boolean },
  context: RequestContext,
): Promise<StartedSession> {
  const emailVerified = subject.emailVerified ?? (await isPrimaryEmailVerified(subject.userId));
  const minted = await mintSessionToken({ ...subject, emailVerified, sessionId: opened.sessionId }, context);
  return {
    sessionId: opened.sessionId,
    userId: subject.userId,
    sessionToken: minted.token,
    expiresAt: minted.expiresAt,
    newClientToken: opened.newClientToken,
    clientCookieMaxAgeSeconds: opened.clientCookieMaxAgeSeconds,
    deviceToken: rememberDevice(context.deviceToken ?? null, subject.userId),
  };
}

/** "session": this account on this browser; "all": this account everywhere; "browser": every account on this browser. */
export type SignOutScope = "session" | "all" | "browser";

/**
 * Sign out (S2). "session" ends this browser's active session; "all" also
 * revokes every other session of that user ("sign out everywhere"). Signing
 * out with no valid client is not an error: the caller clears cookies anyway.
 */
export async function signOut(clientToken: string | null, scope: SignOutScope, context: RequestContext): Promise<{ anotherAccountActive: boolean }> {
  if (!clientToken) return { anotherAccountActive: false };
  const now = context.now ?? new Date();
  return db.$transaction(async (tx) => {
    const client = await tx.client.findUnique({ where: { tokenHash: sha256(clientToken) } });
    if (!client?.lastActiveSessionId) return { anotherAccountActive: false };
    const current = await tx.session.findUnique({ where: { id: client.lastActiveSessionId } });
    if (!current) return { anotherAccountActive: false };
    // An impersonating admin signs out of the impersonation only, never the user everywhere (S8).
    if (current.actorId && scope === "all") {
      throw new AppError("forbidden", "Stop impersonating to sign this user out everywhere from the admin pages.");
    }
    if (current.status === "active") {
      await emitSessionEvents(tx, "session.ended", { id: current.id }, now);
      await tx.session.update({ where: { id: current.id }, data: { status: "ended", endedAt: now } });
    }
    if (scope === "browser") {
      await emitSessionEvents(tx, "session.ended", { clientId: client.id, status: "active" }, now);
      await tx.session.updateMany({ where: { clientId: client.id, status: "active" }, data: { status: "ended", endedAt: now } });
    }
    if (scope === "all") {
      await emitSessionEvents(tx, "session.revoked", { userId: current.userId, status: "active" }, now);
      await tx.session.updateMany({
        where: { userId: current.userId, status: "active" },
        data: { status: "revoked", endedAt: now },
      });
    }
    // Signing out of an impersonation returns to the admin's own session; with multi-session,
    // another signed-in account on this client becomes the active one (never an impersonation).
    const next =
      (current.actorId && scope === "session" ? await actorOwnSession(tx, { clientId: client.id, actorId: current.actorId }, now) : null) ??
      (await tx.session.findFirst({
        where: { clientId: client.id, status: "active", actorId: null },
        orderBy: { lastActiveAt: "desc" },
        select: { id: true },
      }));
    await tx.client.update({ where: { id: client.id }, data: { lastActiveSessionId: next?.id ?? null } });
    await recordAuditEvent(
      current.actorId
        ? {
            type: "impersonation.stopped",
            actorId: current.actorId,
            targetId: current.userId,
            ip: context.ip,
            userAgent: context.userAgent,
            data: { sessionId: current.id, reason: "sign_out", returnedToSessionId: next?.id ?? null },
          }
        : {
            type: scope === "all" ? "sign_out.everywhere" : "sign_out",
            actorId: current.userId,
            targetId: current.id,
            ip: context.ip,
            userAgent: context.userAgent,
            ...(scope === "browser" ? { data: { allAccountsOnThisBrowser: true } } : {}),
          },
      tx,
    );
    return { anotherAccountActive: next !== null };
  });
}

/** Revokes one session (admin action, "sign out that device"); its token dies within one lifetime. */
export async function revokeSession(sessionId: string, options: { actorId?: string | null; now?: Date } = {}): Promise<boolean> {
  const now = options.now ?? new Date();
  return db.$transaction(async (tx) => {
    const { count } = await tx.session.updateMany({
      where: { id: sessionId, status: "active" },
      data: { status: "revoked", endedAt: now },
    });
    if (count === 0) return false;
    await recordAuditEvent({ type: "session.revoked", actorId: options.actorId ?? null, targetId: sessionId }, tx);
    await emitSessionEvents(tx, "session.revoked", { id: sessionId }, now);
    return true;
  });
}
