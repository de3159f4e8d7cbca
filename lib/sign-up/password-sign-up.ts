import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { assertPasswordPolicy, hashPassword } from "@/lib/password";
import { getInstanceSettings } from "@/lib/settings";
import { issueTokenForSession, openSession, type RequestContext, type StartedSession } from "@/lib/session";
import { isAdminEmail, normalizeEmail } from "@/lib/users";
import { Prisma } from "@/lib/generated/prisma/client";
import { startVerifiedSignUp, type VerificationSent } from "./verified-sign-up";

const ATTEMPT_TTL_MS = 10 * 60 * 1000;

export type SignUpResult = { status: "complete"; userId: string; session: StartedSession } | VerificationSent;

const EMAIL_TAKEN = new AppError("email_taken", "That email address is already in use.", {
  fields: { email: ["That email address is already in use. Try signing in instead."] },
});

/**
 * Email + password sign-up (S2, S3): policy checked, password hashed off the
 * request thread. With email verification on (the default, S4) the account
 * waits for the emailed code or link (see verified-sign-up.ts); with it off,
 * user, email address, sign-up attempt, session and audit event are written
 * in ONE transaction, so a failure leaves nothing behind.
 */
export async function signUpWithPassword(
  input: {
    email: string;
    password: string;
    firstName?: string;
    lastName?: string;
    clientToken: string | null;
    redirectUrl?: string;
  },
  context: RequestContext,
): Promise<SignUpResult> {
  const now = context.now ?? new Date();
  const emailNormalized = normalizeEmail(input.email);
  const settings = await getInstanceSettings();
  assertPasswordPolicy(input.password, {
    userInputs: [emailNormalized, emailNormalized.split("@")[0] ?? "", input.firstName ?? "", input.lastName ?? ""].filter(Boolean),
    minScore: settings.passwordMinScore,
  });

  if (settings.emailVerificationAtSignUp) {
    // Hash even for a taken address, so both answers take the same time (S10).
    const password = await hashPassword(input.password);
    return startVerifiedSignUp({ ...input, emailNormalized, password }, context);
  }

  if (await db.emailAddress.findUnique({ where: { emailNormalized }, select: { id: true } })) throw EMAIL_TAKEN;

  const { hash, cost } = await hashPassword(input.password);
  const role = isAdminEmail(emailNormalized) ? "admin" : "user";
  const userId = newId("user");
  const emailAddressId = newId("identification");

  let opened: Awaited<ReturnType<typeof openSession>>;
  try {
    opened = await db.$transaction(async (tx) => {
      await tx.user.create({
        data: {
          id: userId,
          role,
          firstName: input.firstName || null,
          lastName: input.lastName || null,
          passwordHash: hash,
          passwordCost: cost,
          passwordChangedAt: now,
          lastSignInAt: now,
          lastActiveAt: now,
          createdAt: now,
        },
      });
      await tx.emailAddress.create({
        data: { id: emailAddressId, userId, email: input.email.trim(), emailNormalized },
      });
      await tx.user.update({ where: { id: userId }, data: { primaryEmailAddressId: emailAddressId } });
      const session = await openSession(tx, { userId, clientToken: input.clientToken }, context);
      await tx.signUpAttempt.create({
        data: {
          id: newId("signUpAttempt"),
          clientId: session.clientId,
          status: "complete",
          emailAddress: emailNormalized,
          userId,
          redirectUrl: input.redirectUrl,
          createdSessionId: session.sessionId,
          expiresAt: new Date(now.getTime() + ATTEMPT_TTL_MS),
        },
      });
      await recordAuditEvent(
        { type: "user.created", actorId: userId, targetId: userId, ip: context.ip, userAgent: context.userAgent, data: { method: "password", role } },
        tx,
      );
      return session;
    });
  } catch (error) {
    // Two sign-ups racing for one address: the unique index decides, the loser gets a clean 409.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw EMAIL_TAKEN;
    throw error;
  }

  const session = await issueTokenForSession(opened, { userId, role }, context);
  return { status: "complete", userId, session };
}
