import "server-only";
import { db, type Tx } from "@/lib/db";
import { newId } from "@/lib/ids";
import { randomToken, sha256 } from "@/lib/crypto";

/**
 * The browser's client row (S2): found by the hash of its `__client` token, or
 * created with a fresh 256-bit token. Sign-in attempts create it before any
 * session exists, so an emailed link can tell "same device" from "other device".
 */
/** A client found or created by ensureClient; `newClientToken` is set only when it was created. */
export type ResolvedClient = { clientId: string; newClientToken: string | null };

/** ensureClient's answer: also the hash of the token the browser holds from now on (an attempt records it). */
export type EnsuredClient = ResolvedClient & { tokenHash: string };

export async function ensureClient(tx: Tx, clientToken: string | null, userAgent: string | null): Promise<EnsuredClient> {
  const existing = clientToken
    ? await tx.client.findUnique({ where: { tokenHash: sha256(clientToken) }, select: { id: true, tokenHash: true } })
    : null;
  if (existing) return { clientId: existing.id, newClientToken: null, tokenHash: existing.tokenHash };
  const newClientToken = randomToken(32);
  const tokenHash = sha256(newClientToken);
  const client = await tx.client.create({
    data: { id: newId("client"), tokenHash, userAgent: userAgent?.slice(0, 512) },
  });
  return { clientId: client.id, newClientToken, tokenHash };
}

/** Whether the browser holding `clientToken` has an active session of `userId`. */
export async function isSignedInAs(clientToken: string | null, userId: string): Promise<boolean> {
  if (!clientToken) return false;
  const client = await db.client.findUnique({
    where: { tokenHash: sha256(clientToken) },
    select: { sessions: { where: { userId, status: "active" }, select: { id: true }, take: 1 } },
  });
  return Boolean(client?.sessions.length);
}

export function isSameClient(clientToken: string | null, clientTokenHash: string): boolean {
  return clientToken !== null && sha256(clientToken) === clientTokenHash;
}
