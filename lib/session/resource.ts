import "server-only";

/**
 * A session as other apps see it (S9): the same JSON in webhook events
 * (`session.created`, `session.ended`, `session.revoked`) and wherever the
 * backend API lists sessions; snake_case with millisecond timestamps, in the
 * shape of Clerk's session object. `actor` is set for an impersonation.
 */
export const SESSION_RESOURCE_SELECT = {
  id: true,
  userId: true,
  clientId: true,
  status: true,
  actorId: true,
  createdAt: true,
  lastActiveAt: true,
  expiresAt: true,
  updatedAt: true,
} as const;

type SessionResourceRow = {
  id: string;
  userId: string;
  clientId: string;
  status: string;
  actorId: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  expiresAt: Date;
  updatedAt: Date;
};

export function toSessionResource(session: SessionResourceRow) {
  return {
    object: "session" as const,
    id: session.id,
    user_id: session.userId,
    client_id: session.clientId,
    status: session.status,
    created_at: session.createdAt.getTime(),
    updated_at: session.updatedAt.getTime(),
    last_active_at: session.lastActiveAt.getTime(),
    expire_at: session.expiresAt.getTime(),
    actor: session.actorId ? { sub: session.actorId } : null,
  };
}

export type SessionResource = ReturnType<typeof toSessionResource>;
