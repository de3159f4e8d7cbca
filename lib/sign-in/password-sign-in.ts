import "server-only";
import { db } from "@/lib/db";
import { honeypotTripped, recordClientFailure, requireHumanIfRisky, type HumanProof } from "@/lib/bot-protection";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { hashPassword, needsRehash, verifyAgainstDummyHash, verifyPassword } from "@/lib/password";
import { enforceRateLimit, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import { getInstanceSettings } from "@/lib/settings";
import {
  ensureClient,
  isKnownDeviceOf,
  issueTokenForSession,
  readKnownDevice,
  type RequestContext,
  type StartedSession,
} from "@/lib/session";
import { secondFactorMethods, type SecondFactorMethods } from "@/lib/mfa";
import { createSignInAttempt, finishSignIn, PASSWORD_ATTEMPT_TTL_MS } from "./attempts";
import { assertSignInMethodEnabled } from "./methods";
import { invalidCredentialsMessage, resolvePasswordIdentifier, type PasswordIdentifier } from "./password-identifiers";

/** S10: this many failed attempts from unknown browsers lock password sign-in for LOCKOUT_DURATION_MS. */
export const LOCKOUT_THRESHOLD = 100;
export const LOCKOUT_DURATION_MS = 60 * 60 * 1000;

export const INVALID_CREDENTIALS_MESSAGE = "Email address or password is incorrect.";
const STRANGER_BUDGET_MESSAGE =
  "Too many password attempts for this account from new browsers. Sign in with an email code instead, or wait.";

export type SignInResult =
  | { status: "complete"; attemptId: string; session: StartedSession }
  | { status: "needs_second_factor"; attemptId: string; methods: SecondFactorMethods; newClientToken: string | null };

/**
 * The password strategy of the sign-in attempt (S2, S3, S10). Unknown email
 * and wrong password give the same error after the same bcrypt work.
 *
 * Budgets: a browser that has signed in as this user before (device cookie)
 * has its own budget and is not subject to the lockout; every other browser
 * shares the per-account budget and, after 100 failures, the lockout. So
 * someone who only knows the victim's address can slow strangers down, never
 * the owner on their own device. A lockout never ends existing sessions.
 */
export async function signInWithPassword(
  /** The account by email address, or (issue 19, when those identifiers are on) by username or phone number. */
  input: PasswordIdentifier & { password: string; clientToken: string | null; redirectUrl?: string } & HumanProof,
  context: RequestContext,
): Promise<SignInResult> {
  const now = context.now ?? new Date();
  const settings = await getInstanceSettings();
  // Policy first (S8): the answer depends on the settings and the typed identifier only, never on an account.
  assertSignInMethodEnabled(settings, "password");
  const { key: identifier, account } = await resolvePasswordIdentifier(input, settings);
  const invalidCredentials = invalidCredentialsMessage(input);
  const user = account?.user;
  const device = readKnownDevice(context.deviceToken);
  const knownDevice = isKnownDeviceOf(device, user?.id);

  // Keyed by the lockout epoch too: an admin unlock (any process, the CLI included) starts a fresh budget.
  const strangerKey = `${identifier}#${user?.lockoutEpoch ?? 0}`;
  // Bot protection (S10): a filled honeypot gets the wrong-password answer after the same work; a
  // stranger near the limits meets a challenge before anything is counted, the owner's device never does.
  if (await honeypotTripped(input, "sign_in", context)) {
    await verifyAgainstDummyHash(input.password);
    throw new AppError("invalid_credentials", invalidCredentials);
  }
  await requireHumanIfRisky(input, { action: "sign_in", identifierKey: strangerKey, knownDevice, settings }, context);

  if (knownDevice) await enforceRateLimit(RATE_LIMIT_RULES.signInPerDevice, `${device.id}:${user!.id}`);
  else await enforceRateLimit(RATE_LIMIT_RULES.signInPerIdentifier, strangerKey, undefined, STRANGER_BUDGET_MESSAGE);

  if (!user?.passwordHash) {
    await verifyAgainstDummyHash(input.password);
    await recordClientFailure(context);
    await recordFailedAttempt(null, context, now);
    throw new AppError("invalid_credentials", invalidCredentials);
  }

  const passwordMatches = await verifyPassword(input.password, user.passwordHash);
  if (!passwordMatches) {
    if (!knownDevice) await recordClientFailure(context);
    // A known device's failures cost its own budget only: they never count towards the lockout.
    if (knownDevice) await recordAuditEvent({ type: "sign_in.failed", targetId: user.id, ip: context.ip, userAgent: context.userAgent, data: { reason: "wrong_password", knownDevice: true } });
    else await recordFailedAttempt(user.id, context, now);
    throw new AppError("invalid_credentials", invalidCredentials);
  }
  // Only someone with the right password learns about the lock, and a known device is not locked out.
  if (user.lockedUntil && user.lockedUntil > now && !knownDevice) {
    const retryAfter = Math.ceil((user.lockedUntil.getTime() - now.getTime()) / 1000);
    throw new AppError(
      "account_locked",
      "Password sign-in for this account is locked for a while after too many failed attempts. Sign in with an email code or reset your password, or try again later.",
      { retryAfter },
    );
  }
  const rehash = user.passwordCost === null || needsRehash(user.passwordCost) ? await hashPassword(input.password) : null;

  const outcome = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = await createSignInAttempt(
      tx,
      { client, identifier, userId: user.id, redirectUrl: input.redirectUrl, ttlMs: PASSWORD_ATTEMPT_TTL_MS },
      context,
    );
    const outcome = await finishSignIn(
      tx,
      {
        attempt: { kind: "sign_in", id: attemptId, clientId: client.clientId },
        user,
        factor: "password",
        client,
        verifiedEmail: account!.verifiedEmail,
        settings,
      },
      context,
    );
    if (rehash) await tx.user.update({ where: { id: user.id }, data: { passwordHash: rehash.hash, passwordCost: rehash.cost } });
    return { ...outcome, newClientToken: client.newClientToken };
  });

  // The attempt waits in this browser: a browser new to us gets its client cookie now.
  if (outcome.status !== "complete") {
    return { status: outcome.status, attemptId: outcome.attemptId, newClientToken: outcome.newClientToken, methods: await secondFactorMethods(user.id) };
  }
  const emailVerified = account!.emailVerifiedClaim;
  const session = await issueTokenForSession(outcome.opened, { userId: user.id, role: outcome.role, emailVerified }, context);
  return { status: "complete", attemptId: outcome.attemptId, session };
}

/**
 * Counts a failed password (and locks at the threshold). For an unknown
 * address (`userId` null) it runs the same transaction shape against no row,
 * so a wrong password and an unknown address take the same time (S10).
 */
async function recordFailedAttempt(userId: string | null, context: RequestContext, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    if (!userId) {
      await tx.user.updateMany({ where: { id: newId("user") }, data: { failedSignInAttempts: { increment: 1 } } });
      await recordAuditEvent({ type: "sign_in.failed", ip: context.ip, userAgent: context.userAgent, data: { reason: "unknown_identifier" } }, tx);
      return;
    }
    const updated = await tx.user.update({
      where: { id: userId },
      data: { failedSignInAttempts: { increment: 1 } },
      select: { failedSignInAttempts: true },
    });
    await recordAuditEvent({ type: "sign_in.failed", targetId: userId, ip: context.ip, userAgent: context.userAgent, data: { reason: "wrong_password" } }, tx);
    if (updated.failedSignInAttempts >= LOCKOUT_THRESHOLD) {
      await tx.user.update({
        where: { id: userId },
        data: { lockedUntil: new Date(now.getTime() + LOCKOUT_DURATION_MS), failedSignInAttempts: 0 },
      });
      await recordAuditEvent({ type: "user.locked", targetId: userId, ip: context.ip, data: { failedAttempts: updated.failedSignInAttempts } }, tx);
    }
  });
}
