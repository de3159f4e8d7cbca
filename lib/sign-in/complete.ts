import "server-only";
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { openSession, type RequestContext, type ResolvedClient } from "@/lib/session";
import { isAdminEmail } from "@/lib/users";

export type FirstFactor = "password" | "email_code" | "email_link" | "reset_password";

type SignInUser = {
  id: string;
  role: "user" | "admin";
  banned: boolean;
  lockedUntil: Date | null;
  totpEnabled: boolean;
};

export type FirstFactorOutcome =
  | { status: "complete"; attemptId: string; opened: Awaited<ReturnType<typeof openSession>>; role: "user" | "admin" }
  | { status: "needs_second_factor"; attemptId: string };

/**
 * THE step after any first factor (S2, S6): every way of proving who you are
 * (password, email code, magic link, password reset) ends here, so the second
 * factor is enforced in one place. With MFA on, the attempt moves to
 * needs_second_factor and no session exists yet; the MFA issue completes it.
 *
 * The attempt moves on with a conditional update: of N concurrent callers
 * only one opens a session.
 */
export async function completeFirstFactor(
  tx: Tx,
  input: {
    attemptId: string;
    user: SignInUser;
    email: string;
    factor: FirstFactor;
    /** The browser's client, as resolved (or created) by the caller in this transaction: the session opens on it. */
    client: ResolvedClient;
  },
  context: RequestContext,
): Promise<FirstFactorOutcome> {
  const now = context.now ?? new Date();
  const { user } = input;
  if (user.lockedUntil && user.lockedUntil > now) {
    const retryAfter = Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000);
    throw new AppError(
      "account_locked",
      "This account is temporarily locked after too many failed attempts. Try again later.",
      { retryAfter },
    );
  }
  if (user.banned) throw new AppError("forbidden", "This account has been suspended. Contact the administrator.");

  const open = {
    id: input.attemptId,
    status: { in: ["needs_identifier", "needs_first_factor"] as ("needs_identifier" | "needs_first_factor")[] },
  };
  if (user.totpEnabled) {
    const { count } = await tx.signInAttempt.updateMany({
      where: open,
      data: { status: "needs_second_factor", userId: user.id, firstFactor: input.factor },
    });
    if (count !== 1) throw new AppError("verification_used", "This sign-in has already been completed.");
    return { status: "needs_second_factor", attemptId: input.attemptId };
  }

  const opened = await openSession(tx, { userId: user.id, client: input.client }, context);
  const { count } = await tx.signInAttempt.updateMany({
    where: open,
    data: { status: "complete", userId: user.id, firstFactor: input.factor, createdSessionId: opened.sessionId },
  });
  if (count !== 1) throw new AppError("verification_used", "This sign-in has already been completed.");
  const role = user.role === "admin" || isAdminEmail(input.email) ? "admin" : "user";
  await tx.user.update({
    where: { id: user.id },
    data: { role, failedSignInAttempts: 0, lastSignInAt: now, lastActiveAt: now },
  });
  await recordAuditEvent(
    {
      type: "sign_in.succeeded",
      actorId: user.id,
      targetId: opened.sessionId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { factor: input.factor },
    },
    tx,
  );
  return { status: "complete", attemptId: input.attemptId, opened, role };
}
