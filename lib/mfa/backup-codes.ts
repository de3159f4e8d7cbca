import "server-only";
import crypto from "node:crypto";
import type { Tx } from "@/lib/db";
import { newId } from "@/lib/ids";
import { keyedHash, keyedHashCandidates } from "@/lib/crypto";

/**
 * Backup codes (S6): 10 one-time codes shown once, stored only as keyed
 * hashes. Each is 10 characters from an alphabet without look-alikes
 * (no 0/o, 1/l/i), shown as "xxxxx-xxxxx": about 49 bits, typed rarely.
 */
export const BACKUP_CODE_COUNT = 10;
/** At or below this many unused codes the account page warns. */
export const BACKUP_CODES_LOW = 3;
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

export function generateBackupCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]!);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}

/** What the user typed, as stored: lower case, no separators or spaces. */
export function normalizeBackupCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, "");
}

export function looksLikeBackupCode(input: string): boolean {
  return /^[a-z0-9]{10}$/.test(normalizeBackupCode(input));
}

export function hashBackupCode(code: string): string {
  return keyedHash("backup-code", normalizeBackupCode(code));
}

/** What a stored code may hash to: under AUTH_SECRET, and during a rotation under the previous one (HMACs cannot be re-keyed). */
export function backupCodeHashes(code: string): string[] {
  return keyedHashCandidates("backup-code", normalizeBackupCode(code));
}

/** Replaces the user's codes with 10 new ones in the caller's transaction; returns them (shown once). */
export async function replaceBackupCodes(tx: Tx, userId: string, now = new Date()): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, generateBackupCode);
  await tx.backupCode.deleteMany({ where: { userId } });
  await tx.backupCode.createMany({
    data: codes.map((code) => ({ id: newId("backupCode"), userId, codeHash: hashBackupCode(code), createdAt: now })),
  });
  await tx.user.update({ where: { id: userId }, data: { backupCodesEnabled: true } });
  return codes;
}

/** Uses one code, once: of N concurrent uses of the same code only one gets `true`. */
export async function consumeBackupCode(tx: Tx, userId: string, code: string, now = new Date()): Promise<boolean> {
  if (!looksLikeBackupCode(code)) return false;
  const { count } = await tx.backupCode.updateMany({
    where: { userId, codeHash: { in: backupCodeHashes(code) }, usedAt: null },
    data: { usedAt: now },
  });
  return count === 1;
}
