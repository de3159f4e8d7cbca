import "server-only";
import crypto from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { db, type Tx } from "@/lib/db";
import { newId } from "@/lib/ids";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { recordAuditEvent } from "@/lib/audit";

/**
 * ES256 signing keys (S2). Generated on first use, stored in the DB with the
 * private half encrypted under an AUTH_SECRET-derived key. A retired key's
 * public half stays in the JWKS for RETIRED_KEY_GRACE_MS so tokens it signed
 * (up to a 24 h JWT template) still verify.
 */
export const RETIRED_KEY_GRACE_MS = 24 * 60 * 60 * 1000;
const SIGNER_CACHE_MS = 60_000;
// Arbitrary constant naming the advisory lock that serialises first-start key creation across processes.
const KEY_CREATION_LOCK = 72_135_001;

export type ActiveSigningKey = { kid: string; privateKey: CryptoKey };

let cachedSigner: { key: ActiveSigningKey; loadedAt: number } | undefined;

export function forgetCachedSigningKey(): void {
  cachedSigner = undefined;
}

type NewKeyRow = { id: string; publicJwk: JWK; privateJwkEncrypted: string };

async function createKeyRow(): Promise<NewKeyRow> {
  const id = newId("signingKey");
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: id, alg: "ES256", use: "sig" };
  const privateJwk = await exportJWK(privateKey);
  return { id, publicJwk, privateJwkEncrypted: encryptSecret(JSON.stringify(privateJwk), "signing-key") };
}

function insertActiveKey(tx: Tx, key: NewKeyRow) {
  return tx.signingKey.create({
    data: { id: key.id, publicJwk: key.publicJwk as object, privateJwkEncrypted: key.privateJwkEncrypted, active: true },
  });
}

/** The active key, created on first start; concurrent first starts create exactly one. */
export async function getActiveSigningKey(): Promise<ActiveSigningKey> {
  if (cachedSigner && Date.now() - cachedSigner.loadedAt < SIGNER_CACHE_MS) return cachedSigner.key;
  let row = await db.signingKey.findFirst({ where: { active: true }, orderBy: { createdAt: "desc" } });
  if (!row) {
    const candidate = await createKeyRow();
    row = await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_CREATION_LOCK})`;
      const existing = await tx.signingKey.findFirst({ where: { active: true }, orderBy: { createdAt: "desc" } });
      if (existing) return existing;
      return insertActiveKey(tx, candidate);
    });
  }
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(decryptSecret(row.privateJwkEncrypted, "signing-key")) as JWK;
  } catch {
    // The usual cause is an AUTH_SECRET other than the one the key was sealed
    // under; the crypto error alone ("unable to authenticate data") says nothing.
    throw new SigningKeyUnreadableError(row.id);
  }
  const privateKey = (await importJWK(privateJwk, "ES256")) as CryptoKey;
  const key = { kid: row.id, privateKey };
  cachedSigner = { key, loadedAt: Date.now() };
  return key;
}

/** The active key cannot be unsealed; its message is what the operator reads (server log, /api/health). */
export class SigningKeyUnreadableError extends Error {
  constructor(kid: string) {
    super(
      `The active signing key ${kid} cannot be decrypted with this AUTH_SECRET (was AUTH_SECRET changed?). ` +
        "Set AUTH_SECRET_PREVIOUS to the old secret and run `npm run admin -- reseal-secrets`, " +
        "or run `npm run admin -- rotate-signing-key` with the new one (docs/security.md).",
    );
    this.name = "SigningKeyUnreadableError";
  }
}

type Actor = { actorId: string | null; ip: string | null; userAgent: string | null };

/**
 * Makes a new active key; the old one is retired but stays published for the
 * grace period. Audited with the actor (an admin, or null for the CLI). Other
 * instances pick the new key up within a minute (their signer cache).
 */
export async function rotateSigningKey(actor: Actor = { actorId: null, ip: null, userAgent: null }): Promise<{ kid: string }> {
  const candidate = await createKeyRow();
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_CREATION_LOCK})`;
    const retired = await tx.signingKey.findMany({ where: { active: true }, select: { id: true } });
    await tx.signingKey.updateMany({ where: { active: true }, data: { active: false, retiredAt: new Date() } });
    await insertActiveKey(tx, candidate);
    await recordAuditEvent({ type: "signing_key.rotated", ...actor, data: { kid: candidate.id, retired: retired.map((key) => key.id) } }, tx);
  });
  forgetCachedSigningKey();
  return { kid: candidate.id };
}

/** Public keys for /.well-known/jwks.json: the active key plus keys retired within the grace period. */
export async function getPublicJwks(): Promise<{ keys: JWK[] }> {
  await getActiveSigningKey();
  const rows = await db.signingKey.findMany({
    where: { OR: [{ active: true }, { retiredAt: { gt: new Date(Date.now() - RETIRED_KEY_GRACE_MS) } }] },
    orderBy: { createdAt: "desc" },
    select: { publicJwk: true },
  });
  return { keys: rows.map((row) => row.publicJwk as JWK) };
}

export type SigningKeySummary = {
  kid: string;
  algorithm: string;
  active: boolean;
  createdAt: Date;
  retiredAt: Date | null;
  publishedUntil: Date | null;
  /** The public key as SPKI PEM, for verifiers configured with a key rather than a JWKS URL (S2). */
  publicKeyPem: string;
};

/** A public JWK as SPKI PEM ("-----BEGIN PUBLIC KEY-----"). */
export function publicJwkToPem(jwk: JWK): string {
  return crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: "jwk" }).export({ type: "spki", format: "pem" }).toString();
}

/** The public key of a published signing key as PEM, or null when no published key has this kid. */
export async function getPublicKeyPem(kid: string, now = new Date()): Promise<string | null> {
  const row = await db.signingKey.findFirst({
    where: { id: kid, OR: [{ active: true }, { retiredAt: { gt: new Date(now.getTime() - RETIRED_KEY_GRACE_MS) } }] },
    select: { publicJwk: true },
  });
  return row ? publicJwkToPem(row.publicJwk as JWK) : null;
}

/** Every key still published in the JWKS, newest first (the admin's signing-keys page). */
export async function listSigningKeys(now = new Date()): Promise<SigningKeySummary[]> {
  await getActiveSigningKey();
  const rows = await db.signingKey.findMany({
    where: { OR: [{ active: true }, { retiredAt: { gt: new Date(now.getTime() - RETIRED_KEY_GRACE_MS) } }] },
    orderBy: { createdAt: "desc" },
    select: { id: true, algorithm: true, active: true, createdAt: true, retiredAt: true, publicJwk: true },
  });
  return rows.map((row) => ({
    kid: row.id,
    algorithm: row.algorithm,
    active: row.active,
    createdAt: row.createdAt,
    retiredAt: row.retiredAt,
    publishedUntil: row.retiredAt ? new Date(row.retiredAt.getTime() + RETIRED_KEY_GRACE_MS) : null,
    publicKeyPem: publicJwkToPem(row.publicJwk as JWK),
  }));
}
