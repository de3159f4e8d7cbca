import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { assertPasswordPolicy, hashPassword, verifyPassword } from "@/lib/password";
import { enforceRateLimit, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import { requireRecentVerification } from "@/lib/mfa";
import { getInstanceSettings } from "@/lib/settings";
import { emitSessionEvents, emitUserUpdated } from "@/lib/webhooks/events";

/**
 * Change (or, for a passwordless account, set) the password (S3): with the
 * current password, or within 10 minutes of a verification (step-up, S6).
 * Optionally signs out every other session of the user; this one stays.
 */
export async function changePassword(
  input: {
    userId: string;
    sessionId: string;
    currentPassword?: string;
    newPassword: string;
    signOutOtherDevices: boolean;
  },
  actor: { ip: string | null; userAgent: string | null; now?: Date },
): Promise<{ signedOutSessions: number }> {
  const now = actor.now ?? new Date();
  const user = await db.user.findUniqueOrThrow({
    where: { id: input.userId },
    include: { emailAddresses: { select: { emailNormalized: true } } },
  });
  if (input.currentPassword !== undefined) {
    await enforceRateLimit(RATE_LIMIT_RULES.reverifyPerUser, user.id, undefined, "Too many tries.");
    if (!user.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
      throw new AppError("verification_incorrect", "Your current password is incorrect.", {
        fields: { currentPassword: ["Your current password is incorrect."] },
      });
    }
  } else {
    await requireRecentVerification({ sessionId: input.sessionId, userId: user.id }, now);
  }
  const settings = await getInstanceSettings();
  try {
    await assertPasswordPolicy(input.newPassword, {
      userInputs: [
        ...user.emailAddresses.flatMap((address) => [address.emailNormalized, address.emailNormalized.split("@")[0] ?? ""]),
        user.firstName ?? "",
        user.lastName ?? "",
      ].filter(Boolean),
      minScore: settings.passwordMinScore,
      minLength: settings.passwordMinLength,
    });
  } catch (error) {
    // The form has two password fields: the policy speaks about the new one.
    if (error instanceof AppError && error.fields?.password) {
      throw new AppError(error.code, error.message, { fields: { newPassword: error.fields.password } });
    }
    throw error;
  }
  const { hash, cost } = await hashPassword(input.newPassword);
  return db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash: hash, passwordCost: cost, passwordChangedAt: now } });
    if (input.signOutOtherDevices) {
      await emitSessionEvents(tx, "session.revoked", { userId: user.id, status: "active", id: { not: input.sessionId } }, now);
    }
    const { count } = input.signOutOtherDevices
      ? await tx.session.updateMany({
          where: { userId: user.id, status: "active", id: { not: input.sessionId } },
          data: { status: "revoked", endedAt: now },
        })
      : { count: 0 };
    // Knowing the password just now is a verification too.
    await tx.session.updateMany({ where: { id: input.sessionId, userId: user.id }, data: { verifiedAt: now } });
    await recordAuditEvent(
      {
        type: "password.changed",
        actorId: user.id,
        targetId: user.id,
        ip: actor.ip,
        userAgent: actor.userAgent,
        data: { hadPassword: Boolean(user.passwordHash), signedOutSessions: count },
      },
      tx,
    );
    await emitUserUpdated(tx, user.id, now);
    return { signedOutSessions: count };
  });
}
