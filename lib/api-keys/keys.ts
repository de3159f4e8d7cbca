import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { randomToken, sha256 } from "@/lib/crypto";
import { recordAuditEvent } from "@/lib/audit";

/**
 * Secret keys for the backend REST API (S9, /api/v1). A key is
 * `sk_live_` + 256 random bits, shown once when it is made; the database keeps
 * only its SHA-256 (a leaked table holds no usable key) and its first
 * characters, so an admin can tell keys apart in the list.
 */
export const API_KEY_PREFIX = "sk_live_";

/** `sk_live_` + 43 base64url characters (32 random bytes). */
const API_KEY_PATTERN = /^sk_live_[A-Za-z0-9_-]{43}$/;

/** How much of a key the list shows: the prefix and four random characters. */
const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 4;

/** `lastUsedAt` is written at most this often per key: a busy key costs a read per request, not a write. */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export const API_KEY_NAME_MAX_LENGTH = 100;

export type ApiKeySummary = {
  id: string;
  name: string;
  /** `sk_live_AbCd`: enough to recognise the key, never enough to use it. */
  prefix: string;
  createdAt: Date;
  /** The admin who made it (null once that admin is deleted, or for keys made by a script). */
  createdById: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  status: "active" | "revoked";
};

/** The key a request authenticated with (route handlers record it as the actor of what they change). */
export type AuthenticatedApiKey = { id: string; name: string };

export type ApiKeyActor = { actorId: string; ip: string | null; userAgent: string | null; now?: Date };

const SUMMARY_SELECT = { id: true, name: true, prefix: true, createdAt: true, createdById: true, lastUsedAt: true, revokedAt: true } as const;

function toSummary(row: Omit<ApiKeySummary, "status">): ApiKeySummary {
  return { ...row, status: row.revokedAt ? "revoked" : "active" };
}

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > API_KEY_NAME_MAX_LENGTH) {
    const message = `Give the key a name of 1 to ${API_KEY_NAME_MAX_LENGTH} characters.`;
    throw new AppError("validation_failed", message, { fields: { name: [message] } });
  }
  return trimmed;
}

/**
 * Makes a key. `secret` is the full key: the only time it exists outside the
 * caller's hands, so the admin page shows it once and never again.
 */
export async function createApiKey(input: { name: string }, actor: ApiKeyActor): Promise<{ apiKey: ApiKeySummary; secret: string }> {
  const name = cleanName(input.name);
  const secret = `${API_KEY_PREFIX}${randomToken(32)}`;
  const row = await db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: {
        id: newId("apiKey"),
        name,
        keyHash: sha256(secret),
        prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
        createdById: actor.actorId,
        ...(actor.now ? { createdAt: actor.now } : {}),
      },
      select: SUMMARY_SELECT,
    });
    await recordAuditEvent(
      { type: "api_key.created", actorId: actor.actorId, targetId: created.id, ip: actor.ip, userAgent: actor.userAgent, data: { name, prefix: created.prefix } },
      tx,
    );
    return created;
  });
  return { apiKey: toSummary(row), secret };
}

/** Every key, newest first (revoked ones too: the list is also the record of what existed). */
export async function listApiKeys(): Promise<ApiKeySummary[]> {
  const rows = await db.apiKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: SUMMARY_SELECT });
  return rows.map(toSummary);
}

/** Revokes a key: the next request with it gets 401. Revoking a revoked key changes nothing (and audits nothing). */
export async function revokeApiKey(id: string, actor: ApiKeyActor): Promise<ApiKeySummary> {
  const now = actor.now ?? new Date();
  return db.$transaction(async (tx) => {
    const { count } = await tx.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
    const row = await tx.apiKey.findUnique({ where: { id }, select: SUMMARY_SELECT });
    if (!row) throw new AppError("not_found", "This API key does not exist.");
    if (count === 1) {
      await recordAuditEvent(
        { type: "api_key.revoked", actorId: actor.actorId, targetId: id, ip: actor.ip, userAgent: actor.userAgent, data: { name: row.name, prefix: row.prefix } },
        tx,
      );
    }
    return toSummary(row);
  });
}

const invalidKey = (message: string) => new AppError("unauthenticated", message);

/**
 * The key behind an `Authorization: Bearer sk_live_...` header, or 401.
 * Unknown, revoked and malformed keys get the same answer, so the reply says
 * nothing about which keys exist. One indexed read per request; `lastUsedAt`
 * is written at most once a minute (a conditional update, so two processes
 * do not both write it).
 */
export async function authenticateApiKey(authorization: string | null, now = new Date()): Promise<AuthenticatedApiKey> {
  const presented = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!presented) throw invalidKey("Send a secret key in the Authorization header: Bearer sk_live_...");
  if (!API_KEY_PATTERN.test(presented)) throw invalidKey("The secret key is not valid.");
  const row = await db.apiKey.findUnique({
    where: { keyHash: sha256(presented) },
    select: { id: true, name: true, revokedAt: true, lastUsedAt: true },
  });
  if (!row || row.revokedAt) throw invalidKey("The secret key is not valid.");
  const staleBefore = new Date(now.getTime() - LAST_USED_WRITE_INTERVAL_MS);
  if (!row.lastUsedAt || row.lastUsedAt <= staleBefore) {
    await db.apiKey.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: staleBefore } }] },
      data: { lastUsedAt: now },
    });
  }
  return { id: row.id, name: row.name };
}
