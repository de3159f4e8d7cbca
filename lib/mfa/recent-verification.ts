import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

/**
 * Step-up (S6): sensitive actions need a verification within the last 10
 * minutes in THIS session (see ./step-up). On its own so that factor modules
 * (./security-keys) can check it while ./step-up uses them to re-verify.
 */
export const STEP_UP_WINDOW_MS = 10 * 60_000;

export type Verifier = { sessionId: string; userId: string };

/** The one server-side check every sensitive action calls first. */
export async function requireRecentVerification(verifier: Verifier, now = new Date()): Promise<void> {
  const session = await db.session.findFirst({
    where: { id: verifier.sessionId, userId: verifier.userId, status: "active" },
    select: { verifiedAt: true },
  });
  if (!session) throw new AppError("session_invalid", "Your session has ended. Please sign in again.");
  if (now.getTime() - session.verifiedAt.getTime() > STEP_UP_WINDOW_MS) {
    throw new AppError("reverification_required", "For your security, confirm it's you to continue.");
  }
}
