import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { randomToken, sha256 } from "@/lib/crypto";
import { recordAuditEvent } from "@/lib/audit";
import type { RequestContext } from "@/lib/session";
import { IMPERSONATION_MAX_MS, openImpersonation, type StartedImpersonation } from "./impersonation";

/**
 * Actor tokens (S9): impersonation links for support tools. A backend with a
 * secret key asks for a link that lets admin `actorId` act as `userId`; the
 * link works once, until it expires (at most an hour), and only in a browser
 * where that admin is signed in: it opens the same impersonation an admin
 * starts from the user's page (lib/sign-in/impersonation.ts: an hour at most,
 * the banner, "Stop impersonating"), with the backend's key standing in for
 * the step-up. A link that leaks (chat, logs, a Referer) is useless without
 * the admin's own session.
 */
export const ACTOR_TOKEN_MAX_SECONDS = IMPERSONATION_MAX_MS / 1000;
export const ACTOR_TOKEN_DEFAULT_SECONDS = ACTOR_TOKEN_MAX_SECONDS;

/** The browser route that consumes a token (app/api/auth/actor-token). */
export const ACTOR_TOKEN_PATH = "/api/auth/actor-token";

export const actorTokenUrl = (origin: string, token: string) => `${origin}${ACTOR_TOKEN_PATH}?token=${encodeURIComponent(token)}`;

/** "pending" until used, revoked or expired; "accepted" once a browser used it. */
export type ActorTokenStatus = "pending" | "accepted" | "expired" | "revoked";

export type ActorTokenSummary = {
  id: string;
  status: ActorTokenStatus;
  userId: string;
  actorId: string;
  createdAt: Date;
  expiresAt: Date;
};

/** Who asked for it (the backend API key), for the audit log. */
export type ActorTokenRequester = { apiKeyId: string; ip: string | null; userAgent: string | null; now?: Date };

type ActorTokenRow = { id: string; userId: string; actorId: string; createdAt: Date; expiresAt: Date; consumedAt: Date | null; revokedAt: Date | null };

function statusOf(row: Pick<ActorTokenRow, "consumedAt" | "expiresAt" | "revokedAt">, now: Date): ActorTokenStatus {
  if (row.consumedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  return row.expiresAt <= now ? "expired" : "pending";
}

const summary = (row: ActorTokenRow, now: Date): ActorTokenSummary => ({
  id: row.id,
  status: statusOf(row, now),
  userId: row.userId,
  actorId: row.actorId,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
});

const fieldError = (code: "not_found" | "forbidden", field: string, message: string) => new AppError(code, message, { fields: { [field]: [message] } });

/**
 * Makes a link for `actorId` (an admin, not banned) to act as `userId` (not
 * an admin, not banned), valid `expiresInSeconds` (1 to 3600). The token is in
 * the returned `url` and `token` only: the table keeps its SHA-256.
 */
export async function createActorToken(
  input: { userId: string; actorId: string; expiresInSeconds?: number; origin: string },
  requester: ActorTokenRequester,
): Promise<ActorTokenSummary & { token: string; url: string }> {
  const now = requester.now ?? new Date();
  const seconds = input.expiresInSeconds ?? ACTOR_TOKEN_DEFAULT_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > ACTOR_TOKEN_MAX_SECONDS) {
    const message = `The link can last 1 to ${ACTOR_TOKEN_MAX_SECONDS} seconds.`;
    throw new AppError("validation_failed", message, { fields: { expiresInSeconds: [message] } });
  }
  if (input.userId === input.actorId) throw fieldError("forbidden", "actor.sub", "An admin cannot impersonate themself.");
  const [user, actor] = await Promise.all([
    db.user.findUnique({ where: { id: input.userId }, select: { role: true, banned: true } }),
    db.user.findUnique({ where: { id: input.actorId }, select: { role: true, banned: true } }),
  ]);
  if (!user) throw fieldError("not_found", "userId", "No such user.");
  if (!actor) throw fieldError("not_found", "actor.sub", "No such actor: actor.sub must be the id of an admin.");
  if (actor.role !== "admin" || actor.banned) throw fieldError("forbidden", "actor.sub", "The actor must be an admin.");
  if (user.role === "admin") throw fieldError("forbidden", "userId", "Admins cannot be impersonated.");
  if (user.banned) throw fieldError("forbidden", "userId", "A banned user cannot be impersonated. Unban them first.");

  const token = randomToken(32);
  const row = await db.$transaction(async (tx) => {
    const created = await tx.actorToken.create({
      data: {
        id: newId("actorToken"),
        actorId: input.actorId,
        userId: input.userId,
        tokenHash: sha256(token),
        createdAt: now,
        expiresAt: new Date(now.getTime() + seconds * 1000),
      },
    });
    await recordAuditEvent(
      {
        type: "actor_token.created",
        actorId: requester.apiKeyId,
        targetId: input.userId,
        ip: requester.ip,
        userAgent: requester.userAgent,
        data: { actorTokenId: created.id, actorId: input.actorId, expiresAt: created.expiresAt.toISOString() },
      },
      tx,
    );
    return created;
  });
  return { ...summary(row, now), token, url: actorTokenUrl(input.origin, token) };
}

/** Revokes a pending token: its link stops working at once. A used or expired one cannot be revoked (409). */
export async function revokeActorToken(id: string, requester: ActorTokenRequester): Promise<ActorTokenSummary> {
  const now = requester.now ?? new Date();
  return db.$transaction(async (tx) => {
    const row = await tx.actorToken.findUnique({ where: { id } });
    if (!row) throw new AppError("not_found", "No such actor token.");
    const { count } = await tx.actorToken.updateMany({
      where: { id, consumedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { revokedAt: now },
    });
    if (count !== 1) throw new AppError("conflict", `This actor token is ${statusOf(row, now)} and can no longer be revoked.`);
    await recordAuditEvent(
      {
        type: "actor_token.revoked",
        actorId: requester.apiKeyId,
        targetId: row.userId,
        ip: requester.ip,
        userAgent: requester.userAgent,
        data: { actorTokenId: id, actorId: row.actorId },
      },
      tx,
    );
    return summary({ ...row, revokedAt: now }, now);
  });
}

/** Why a browser could not use an actor-token link (the refusal page's text is chosen by it). */
export type ActorTokenFailure =
  /** Unknown token (mistyped, or the user it was for is gone). */
  | "invalid"
  | "used"
  | "expired"
  /** The actor is no longer an admin, or the user became an admin or was banned. */
  | "refused"
  /** No session on this browser: sign in as the actor, then the link works. */
  | "sign_in"
  /** This browser is signed in, but not as the actor. */
  | "wrong_account"
  /** This browser is impersonating someone already. */
  | "impersonating";

export class ActorTokenError extends AppError {
  constructor(
    readonly reason: ActorTokenFailure,
    cause: AppError,
  ) {
    super(cause.code, cause.message);
    this.name = "ActorTokenError";
  }
}

const REASON_BY_CODE: Partial<Record<AppError["code"], ActorTokenFailure>> = {
  not_found: "refused",
  forbidden: "refused",
  verification_used: "used",
  verification_expired: "expired",
  conflict: "impersonating",
};

const linkUsed = () => new AppError("verification_used", "This impersonation link has already been used.");

/**
 * A browser opened an actor token's link: the impersonation opens on it
 * (lib/sign-in/impersonation.ts `openImpersonation`) and the token is used up
 * in the same transaction. Refused with an `ActorTokenError` (nothing used up)
 * when the token is unknown, used or expired, the actor is no longer an admin
 * or the user is an admin or banned, this browser holds no session of the
 * actor (sign in as them, then open the link again), or it is impersonating
 * already.
 */
export async function consumeActorToken(input: { token: string; clientToken: string | null }, context: RequestContext): Promise<StartedImpersonation> {
  const now = context.now ?? new Date();
  const row = await db.actorToken.findUnique({ where: { tokenHash: sha256(input.token) } });
  if (!row) throw new ActorTokenError("invalid", new AppError("not_found", "This impersonation link is not valid."));
  if (row.consumedAt) throw new ActorTokenError("used", linkUsed());
  if (row.revokedAt || row.expiresAt <= now) throw new ActorTokenError("expired", new AppError("verification_expired", "This impersonation link has expired."));
  try {
    return await openImpersonation(
      {
        adminId: row.actorId,
        targetUserId: row.userId,
        clientToken: input.clientToken,
        grant: {
          via: "actor_token",
          actorTokenId: row.id,
          consume: async (tx, at) => {
            // Conditional: of two browsers (or two clicks) racing with one link, exactly one opens a session.
            const { count } = await tx.actorToken.updateMany({ where: { id: row.id, consumedAt: null, revokedAt: null, expiresAt: { gt: at } }, data: { consumedAt: at } });
            if (count !== 1) throw linkUsed();
          },
        },
      },
      context,
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "session_invalid") {
      // Signed in as someone else: sending them to sign in would come straight back here.
      const signedIn = await hasActiveSession(input.clientToken);
      throw new ActorTokenError(signedIn ? "wrong_account" : "sign_in", error);
    }
    throw new ActorTokenError(REASON_BY_CODE[error.code] ?? "refused", error);
  }
}

async function hasActiveSession(clientToken: string | null): Promise<boolean> {
  if (!clientToken) return false;
  const client = await db.client.findUnique({
    where: { tokenHash: sha256(clientToken) },
    select: { sessions: { where: { status: "active" }, select: { id: true }, take: 1 } },
  });
  return Boolean(client?.sessions.length);
}
