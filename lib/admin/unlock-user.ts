import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { emitUserUpdated } from "@/lib/webhooks/events";

/**
 * Admin unlock (S8, S10): clears a lockout and the failed-attempt counter,
 * audited as `user.unlocked`, and bumps the account's lockout epoch: the
 * per-account sign-in budget is keyed by it (lib/sign-in), so every running
 * server, whatever its rate-limit store (in-process ones included, which a
 * CLI in another process could never reach), gives the owner a fresh budget.
 */
export async function unlockUser(
  userId: string,
  options: { actorId: string | null; ip?: string | null; userAgent?: string | null; now?: Date },
): Promise<{ wasLocked: boolean }> {
  const now = options.now ?? new Date();
  const { wasLocked } = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: { lockedUntil: true, failedSignInAttempts: true },
    });
    if (!user) throw new AppError("not_found", "No such user.");
    await tx.user.update({
      where: { id: userId },
      data: { lockedUntil: null, failedSignInAttempts: 0, lockoutEpoch: { increment: 1 } },
    });
    const wasLocked = user.lockedUntil !== null && user.lockedUntil > now;
    await recordAuditEvent(
      {
        type: "user.unlocked",
        actorId: options.actorId,
        targetId: userId,
        ip: options.ip ?? null,
        userAgent: options.userAgent ?? null,
        data: { wasLocked, lockedUntil: user.lockedUntil?.toISOString() ?? null, failedAttempts: user.failedSignInAttempts },
      },
      tx,
    );
    await emitUserUpdated(tx, userId, now);
    return { wasLocked };
  });
  return { wasLocked };
}
