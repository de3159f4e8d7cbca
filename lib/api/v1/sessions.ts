import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { mintTemplateToken } from "@/lib/jwt-templates";
import { revokeSession, verifyTokenOnServer } from "@/lib/session";
import { SESSION_RESOURCE_SELECT, toSessionResource as toSessionJson } from "@/lib/session/resource";
import type { SessionStatus } from "@/lib/generated/prisma/client";
import { apiError } from "../errors";
import { decodeCreatedAtCursor, encodeCreatedAtCursor } from "@/lib/pagination";

/**
 * Sessions through the backend API (S9): a user's sessions, revoking one,
 * minting a JWT template token for one, and checking a session token with
 * the database's word on its session (stronger than networkless verification,
 * which cannot see a revocation before the token expires).
 */
const SESSION_SELECT = { ...SESSION_RESOURCE_SELECT, endedAt: true } as const;

type SessionRow = Parameters<typeof toSessionJson>[0] & { status: SessionStatus; endedAt: Date | null };

/**
 * A session as the webhook events show it (lib/session `toSessionResource`),
 * plus `ended_at`; an active row past its expiry is reported "expired" (nothing
 * marks a session expired the moment it expires: it is, whatever the row says).
 */
export function toSessionResource(row: SessionRow, now = new Date()) {
  return {
    ...toSessionJson(row),
    status: row.status === "active" && row.expiresAt <= now ? ("expired" as const) : row.status,
    ended_at: row.endedAt ? row.endedAt.getTime() : null,
  };
}

export type SessionResource = ReturnType<typeof toSessionResource>;

export const SESSION_LIST_DEFAULT_LIMIT = 25;


/**
 * A user's sessions, newest first, keyset-paginated. "expired" also finds
 * active rows past their expiry, and "active" leaves them out, as the
 * resources report them.
 */
export async function listSessionResources(input: {
  userId: string;
  status?: SessionStatus;
  cursor?: string;
  limit?: number;
  now?: Date;
}): Promise<{ data: SessionResource[]; next_cursor: string | null }> {
  const now = input.now ?? new Date();
  const limit = input.limit ?? SESSION_LIST_DEFAULT_LIMIT;
  const after = input.cursor ? decodeCreatedAtCursor(input.cursor, "Invalid cursor: pass next_cursor from the previous page.") : null;
  const user = await db.user.findUnique({ where: { id: input.userId }, select: { id: true } });
  if (!user) throw new AppError("not_found", "No such user.", { fields: { userId: ["No such user."] } });
  const statusWhere =
    input.status === "active"
      ? { status: "active" as const, expiresAt: { gt: now } }
      : input.status === "expired"
        ? { OR: [{ status: "expired" as const }, { status: "active" as const, expiresAt: { lte: now } }] }
        : input.status
          ? { status: input.status }
          : {};
  const rows = await db.session.findMany({
    where: {
      userId: input.userId,
      ...statusWhere,
      ...(after ? { AND: [{ OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: SESSION_SELECT,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { data: page.map((row) => toSessionResource(row, now)), next_cursor: rows.length > limit && last ? encodeCreatedAtCursor(last) : null };
}

async function sessionOrNotFound(sessionId: string, now = new Date()): Promise<SessionResource> {
  const row = await db.session.findUnique({ where: { id: sessionId }, select: SESSION_SELECT });
  if (!row) throw new AppError("not_found", "No such session.");
  return toSessionResource(row, now);
}

/**
 * Revokes a session (lib/session `revokeSession`): its next refresh fails and
 * its last token dies within its 60 s. A session that has already ended is
 * answered as it is.
 */
export async function revokeSessionFromApi(sessionId: string, actor: { actorId: string }): Promise<SessionResource> {
  await revokeSession(sessionId, { actorId: actor.actorId });
  return sessionOrNotFound(sessionId);
}

/**
 * A token from the JWT template `templateName` for an active session
 * (lib/jwt-templates `mintTemplateToken`); a session that is not active is
 * "not found" here (404), as an unknown one is.
 */
export async function mintTemplateTokenFromApi(input: { sessionId: string; templateName: string; issuer: string }): Promise<{ object: "token"; jwt: string; expires_at: number }> {
  try {
    const minted = await mintTemplateToken({ templateName: input.templateName, sessionId: input.sessionId, issuer: input.issuer });
    return { object: "token", jwt: minted.jwt, expires_at: minted.expiresAt };
  } catch (error) {
    if (error instanceof AppError && error.code === "session_invalid") {
      throw apiError(404, "resource_not_found", "No active session with this id: it ended, expired or its user is banned.", {
        message: "not found",
        paramName: "session_id",
      });
    }
    if (error instanceof AppError && error.code === "not_found") {
      throw apiError(404, "resource_not_found", error.message, { message: "not found", paramName: "template_name" });
    }
    throw error;
  }
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies a session token as this instance issued it (signature with the
 * JWKS keys, issuer, expiry) AND asks the database about its session: a
 * revoked or ended session, or a banned user, fails here at once. 422 for
 * something that is not a JWT at all, 401 for a token that does not verify.
 */
export async function verifySessionTokenFromApi(token: string, requestOrigin: string, now = new Date()) {
  if (!COMPACT_JWS.test(token)) {
    throw apiError(422, "token_invalid", "The token is not a JWT (header.payload.signature).", { message: "not a JWT", paramName: "token" });
  }
  const claims = await verifyTokenOnServer(token, requestOrigin);
  if (!claims) {
    throw apiError(401, "token_verification_failed", "The token does not verify: it expired, was not signed by this instance's keys, or names another issuer.", {
      message: "token verification failed",
      paramName: "token",
    });
  }
  const session = await db.session.findUnique({ where: { id: claims.sid }, select: { ...SESSION_SELECT, user: { select: { banned: true } } } });
  const resource = session ? toSessionResource(session, now) : null;
  if (!session || !resource || resource.status !== "active" || session.user.banned || session.userId !== claims.sub) {
    throw apiError(401, "session_invalid", "The token's session has ended (signed out, revoked, expired) or its user is banned.", {
      message: "session is no longer valid",
      paramName: "token",
    });
  }
  return { object: "token_verification" as const, claims, session: { id: session.id, status: resource.status, user_id: session.userId } };
}
