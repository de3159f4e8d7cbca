import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { decryptSecret } from "@/lib/crypto";
import { kickOutbox } from "@/lib/email";
import { assertBudgetLeft, enforceRateLimit, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import { getInstanceSettings } from "@/lib/settings";
import { issueTokenForSession, type RequestContext, type StartedSession } from "@/lib/session";
import { abandonAttempt, attemptGone, finishSecondFactor, loadAttemptForBrowser, type Attempt, type SecondFactor } from "@/lib/sign-in/attempts";
import { enqueueSms, maskPhoneNumber, prepareSms } from "@/lib/sms";
import {
  assertResendAllowed,
  chargeSend,
  checkCode,
  consumeVerification,
  latestForAttempt,
  newVerificationSecrets,
  RESEND_COOLDOWN_MS,
  storeVerification,
  VERIFICATION_TTL_MS,
} from "@/lib/verification";
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { backupCodeHashes, consumeBackupCode, looksLikeBackupCode } from "./backup-codes";
import { proveSecurityKey, securityKeyAuthenticationOptions, spendSecurityKeyUse, type SecurityKeyProof } from "./security-keys";
import { checkTotp } from "./totp";

/**
 * The second-factor step of a sign-in attempt (S6): after any first factor
 * (password, email code or link, password reset) an MFA user's attempt waits
 * in `needs_second_factor` for 10 minutes. A TOTP code, a backup code, a
 * text-message code or a security key completes it through the attempt module, which alone
 * opens the session. Wrong codes: 5 per attempt (then it is void) and 10 per
 * hour per account across attempts.
 */
export const MAX_SECOND_FACTOR_FAILURES = 5;

export type SecondFactorMethods = {
  totp: boolean;
  backupCode: boolean;
  sms: { phoneHint: string } | null;
  /** Issue 19: the user has a security key (keys keep working when the instance stops new ones). */
  securityKey: boolean;
  /** What the step opens with: the security key when it is the user's only or most recently added factor, as hosted products do. */
  preferred: "security_key" | null;
};

export async function secondFactorMethods(userId: string): Promise<SecondFactorMethods> {
  const [factors, backupCodes, settings] = await Promise.all([
    db.mfaFactor.findMany({ where: { userId, confirmedAt: { not: null } }, orderBy: { confirmedAt: "desc" }, select: { type: true, phoneNumberId: true } }),
    db.backupCode.count({ where: { userId, usedAt: null } }),
    getInstanceSettings(),
  ]);
  const sms = settings.smsSecondFactor ? factors.find((factor) => factor.type === "sms") : undefined;
  const phone = sms?.phoneNumberId ? await db.phoneNumber.findUnique({ where: { id: sms.phoneNumberId } }) : null;
  return {
    totp: factors.some((factor) => factor.type === "totp"),
    backupCode: backupCodes > 0,
    sms: phone ? { phoneHint: maskPhoneNumber(phone.phone) } : null,
    securityKey: factors.some((factor) => factor.type === "security_key"),
    preferred: factors[0]?.type === "security_key" ? "security_key" : null,
  };
}

/** The attempt of this browser that waits for its second factor, or the reason it cannot. */
async function pendingAttempt(attemptId: string, clientToken: string | null, now: Date): Promise<Attempt & { userId: string }> {
  const attempt = await loadAttemptForBrowser(attemptId, clientToken);
  if (attempt.kind !== "sign_in" || !attempt.userId) throw attemptGone();
  if (attempt.status === "complete") throw new AppError("verification_used", "This sign-in has already been completed.");
  if (attempt.status !== "needs_second_factor") throw attemptGone();
  if (attempt.expiresAt <= now) throw new AppError("verification_expired", "This sign-in has expired. Sign in again.");
  return attempt as Attempt & { userId: string };
}

/** "Text me a code": an SMS code for this attempt (30 s cooldown, the number's send budget). */
export async function sendSecondFactorSms(
  input: { attemptId: string; clientToken: string | null },
  context: RequestContext,
): Promise<{ status: "sent"; phoneHint: string; resendAfter: number }> {
  const now = context.now ?? new Date();
  const attempt = await pendingAttempt(input.attemptId, input.clientToken, now);
  const phone = await smsFactorPhone(attempt.userId);
  if (!phone) throw new AppError("not_found", "This account has no phone for codes.");
  await assertResendAllowed({ attemptId: attempt.id }, now);
  await chargeSend(phone, "second_factor", "sms");
  const secrets = newVerificationSecrets();
  const sms = prepareSms(phone, { template: "second_factor_code", code: secrets.code, expiresInMinutes: VERIFICATION_TTL_MS / 60_000 });
  await db.$transaction(async (tx) => {
    await storeVerification(tx, secrets, { purpose: "second_factor", identifier: phone, userId: attempt.userId, attemptId: attempt.id }, now);
    await enqueueSms(tx, sms, now);
  });
  kickOutbox();
  return { status: "sent", phoneHint: maskPhoneNumber(phone), resendAfter: RESEND_COOLDOWN_MS / 1000 };
}

async function smsFactorPhone(userId: string): Promise<string | null> {
  if (!(await getInstanceSettings()).smsSecondFactor) return null;
  const factor = await db.mfaFactor.findFirst({ where: { userId, type: "sms", confirmedAt: { not: null } } });
  if (!factor?.phoneNumberId) return null;
  return (await db.phoneNumber.findUnique({ where: { id: factor.phoneNumberId } }))?.phone ?? null;
}

/**
 * "Use your security key": options naming the user's keys (`allowCredentials`), the challenge
 * bound to this attempt (a challenge of another attempt or ceremony is refused at verify).
 */
export async function securityKeySignInOptions(
  input: { attemptId: string; clientToken: string | null },
  context: RequestContext,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }> {
  const now = context.now ?? new Date();
  const attempt = await pendingAttempt(input.attemptId, input.clientToken, now);
  if (attempt.secondFactorFailures >= MAX_SECOND_FACTOR_FAILURES) throw voided();
  return { options: await securityKeyAuthenticationOptions(attempt.userId, { purpose: "second_factor", attemptId: attempt.id }, context) };
}

/** A code (authenticator app, backup code, text message) or a security key's signed challenge. */
export type SecondFactorAnswer =
  | { method: Exclude<SecondFactor, "security_key">; code: string }
  | { method: "security_key"; response: AuthenticationResponseJSON };

/** POST /api/auth/mfa/verify: the code or key completes the attempt (and opens the session) in the browser that asked. */
export async function verifySecondFactor(
  input: { attemptId: string; clientToken: string | null } & SecondFactorAnswer,
  context: RequestContext,
): Promise<{ status: "complete"; redirectUrl: string | null; session: StartedSession }> {
  const now = context.now ?? new Date();
  const attempt = await pendingAttempt(input.attemptId, input.clientToken, now);
  if (attempt.secondFactorFailures >= MAX_SECOND_FACTOR_FAILURES) throw voided();
  const user = await db.user.findUnique({ where: { id: attempt.userId } });
  if (!user) throw attemptGone();
  await assertBudgetLeft(RATE_LIMIT_RULES.secondFactorFailuresPerUser, user.id, "Too many incorrect codes for this account.");

  const code = input.method === "security_key" ? "" : input.code.trim();
  const proof =
    input.method === "security_key"
      ? await proveSecurityKey(user.id, input.response, { purpose: "second_factor", attemptId: attempt.id }, context).then((key) =>
          key ? ({ kind: "security_key", key } as const) : null,
        )
      : await proveSecondFactor(attempt, user.id, input.method, code, now);
  if (!proof) return failed(attempt, user.id, input.method, context);

  const settings = await getInstanceSettings();
  const verifiedEmail = (await db.emailAddress.findFirst({
    where: { userId: user.id, emailNormalized: attempt.identifier, verified: true },
    select: { id: true },
  }))
    ? attempt.identifier
    : null;
  const outcome = await db.$transaction(async (tx) => {
    // Spend the proof in the transaction that opens the session: a replayed code or a lost race spends nothing.
    if (proof.kind === "totp") {
      const { count } = await tx.mfaFactor.updateMany({
        where: { id: proof.factorId, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: BigInt(proof.step) } }] },
        data: { lastUsedStep: BigInt(proof.step) },
      });
      if (count !== 1) throw new AppError("verification_used", "That code was just used. Wait for the next code in your app.");
    } else if (proof.kind === "backup_code") {
      if (!(await consumeBackupCode(tx, user.id, code, now))) throw new AppError("verification_used", "That backup code was already used.");
      const remaining = await tx.backupCode.count({ where: { userId: user.id, usedAt: null } });
      await recordAuditEvent({ type: "backup_code.used", actorId: user.id, targetId: attempt.id, ip: context.ip, userAgent: context.userAgent, data: { remaining } }, tx);
    } else if (proof.kind === "security_key") {
      await spendSecurityKeyUse(tx, proof.key, now);
    } else {
      await consumeVerification(tx, proof.verificationId, now);
    }
    return finishSecondFactor(
      tx,
      { attempt, user, client: { clientId: attempt.clientId, newClientToken: null }, verifiedEmail, settings, secondFactor: input.method },
      context,
    );
  });
  const session = await issueTokenForSession(outcome.opened, { userId: user.id, role: outcome.role }, context);
  return { status: "complete", redirectUrl: attempt.redirectUrl, session };
}

type Proof =
  | { kind: "totp"; factorId: string; step: number }
  | { kind: "backup_code" }
  | { kind: "sms"; verificationId: string }
  | { kind: "security_key"; key: SecurityKeyProof };

/** Checks the code without spending it; null when it is wrong. */
async function proveSecondFactor(
  attempt: Attempt,
  userId: string,
  method: Exclude<SecondFactor, "security_key">,
  code: string,
  now: Date,
): Promise<Proof | null> {
  if (method === "totp") {
    const factor = await db.mfaFactor.findFirst({ where: { userId, type: "totp", confirmedAt: { not: null } } });
    if (!factor?.secretEncrypted) throw new AppError("not_found", "This account has no authenticator app set up.");
    const step = await checkTotp(decryptSecret(factor.secretEncrypted, "totp-secret"), code, {
      now,
      afterStep: factor.lastUsedStep === null ? null : Number(factor.lastUsedStep),
    });
    return step === null ? null : { kind: "totp", factorId: factor.id, step };
  }
  if (method === "backup_code") {
    if (!looksLikeBackupCode(code)) return null;
    const found = await db.backupCode.findFirst({ where: { userId, codeHash: { in: backupCodeHashes(code) }, usedAt: null }, select: { id: true } });
    return found ? { kind: "backup_code" } : null;
  }
  const verification = await latestForAttempt(attempt.id);
  if (!verification || verification.purpose !== "second_factor") {
    throw new AppError("verification_expired", "Send a code to your phone first.");
  }
  try {
    await checkCode(verification, code, now);
  } catch (error) {
    if (error instanceof AppError && (error.code === "verification_incorrect" || error.code === "verification_voided")) return null;
    throw error;
  }
  return { kind: "sms", verificationId: verification.id };
}

const voided = () =>
  new AppError("verification_voided", "Too many incorrect codes. Sign in again to get a fresh start.");

/** Counts a wrong code on the attempt (void at 5) and on the account's hourly budget, audited. */
async function failed(attempt: Attempt, userId: string, method: SecondFactor, context: RequestContext): Promise<never> {
  const now = context.now ?? new Date();
  const [row] = await db.$queryRaw<{ secondFactorFailures: number }[]>`
    UPDATE "SignInAttempt" SET "secondFactorFailures" = "secondFactorFailures" + 1
    WHERE id = ${attempt.id} AND status = 'needs_second_factor'
    RETURNING "secondFactorFailures"`;
  try {
    await enforceRateLimit(RATE_LIMIT_RULES.secondFactorFailuresPerUser, userId);
  } catch (error) {
    if (!(error instanceof AppError && error.code === "rate_limited")) throw error;
  }
  const failures = row?.secondFactorFailures ?? MAX_SECOND_FACTOR_FAILURES;
  await recordAuditEvent({
    type: "second_factor.failed",
    targetId: userId,
    ip: context.ip,
    userAgent: context.userAgent,
    data: { attemptId: attempt.id, method, failures },
  });
  if (failures >= MAX_SECOND_FACTOR_FAILURES) {
    await db.$transaction((tx) => abandonAttempt(tx, attempt, now));
    throw voided();
  }
  const left = MAX_SECOND_FACTOR_FAILURES - failures;
  const tries = `${left} ${left === 1 ? "try" : "tries"} left.`;
  if (method === "security_key") {
    // No field to put it under: the key is not one of this account's, or its answer did not verify.
    throw new AppError("verification_incorrect", `That security key could not be verified. Use a key you added to this account. ${tries}`);
  }
  const message = `That code is incorrect. ${tries}`;
  throw new AppError("verification_incorrect", message, { fields: { code: [message] } });
}
