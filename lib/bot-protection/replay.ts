import "server-only";
import { db } from "@/lib/db";
import { sha256 } from "@/lib/crypto";
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * Single use (S10): an accepted challenge is written down until it expires,
 * in the database every instance shares, so a solution works once across all
 * of them. Expired rows are swept now and then by the same writes.
 */
export async function markChallengeUsed(signature: string, expiresAt: Date, now = new Date()): Promise<boolean> {
  try {
    await db.botChallengeUse.create({ data: { id: sha256(signature), expiresAt } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return false;
    throw error;
  }
  // About one write in fifty clears what has expired: the table stays the size of ten minutes of sign-ups.
  if (Math.random() < 0.02) await db.botChallengeUse.deleteMany({ where: { expiresAt: { lt: now } } });
  return true;
}
