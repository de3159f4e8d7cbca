import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { RATE_LIMIT_RULES, resetRateLimit } from "@/lib/ratelimit";

/**
 * Admin unlock (S8, S10): clears a lockout and the failed-attempt counter,
 * audited as `user.unlocked`, and forgets the sign-in rate limit on the
 * user's addresses so they can sign in at once.
 */
export async function unlockUser(
  userId: string,
  options: { actorId: string | null; ip?: string | null; userAgent?: string | null; now?: Date },
): Promise<{ wasLocked: boolean }> {
  const now = options.now ?? new Date();
  const { wasLocked, emails } = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({
      where: { id: userId },
      select: { lockedUntil: true, failedSignInAttempts: true, emailAddresses: { select: { emailNormalized: true } } },
    });
    if (!user) throw new AppError("not_found", "No such user.");
    await tx.user.update({ where: { id: userId }, data: { lockedUntil: null, failedSignInAttempts: 0 } });
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
    return { wasLocked, emails: user.emailAddresses.map((address) => address.emailNormalized) };
  });
  await Promise.all(emails.map((email) => resetRateLimit(RATE_LIMIT_RULES.signInPerIdentifier, email)));
  return { wasLocked };
}
