import "server-only";
import { recordAuditEvent } from "@/lib/audit";
import crypto from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { derivedKeys, randomToken, safeEqual, sha256 } from "@/lib/crypto";
import { assertBudgetLeft, enforceRateLimit, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import type { VerificationPurpose } from "@/lib/generated/prisma/client";

/** S4 defaults. */
export const VERIFICATION_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
export const RESEND_COOLDOWN_MS = 30_000;

/** A new code + link, made before any transaction so the email can be rendered first (lib/db.ts). */
export type VerificationSecrets = { id: string; code: string; linkToken: string };

/** Why a code or link can no longer be used; the UI shows each state (S4, S11). */
export type VerificationState = "valid" | "expired" | "used" | "voided";

type VerificationRow = { consumedAt: Date | null; expiresAt: Date; attempts: number; maxAttempts: number };

/**
 * Codes are hashed with a key derived from AUTH_SECRET (HMAC-SHA256) and the
 * row id: a 6-digit code has only a million values, so a plain hash in a
 * leaked database would be reversed instantly; without the key it cannot be.
 * New codes are hashed under AUTH_SECRET; during a rotation a code hashed under
 * AUTH_SECRET_PREVIOUS matches too, so one mailed just before the deploy works.
 */
function hashCodeUnder(key: Buffer, verificationId: string, code: string): string {
  return crypto.createHmac("sha256", key).update(`${verificationId}:${code}`).digest("hex");
}

function hashCode(verificationId: string, code: string): string {
  return hashCodeUnder(derivedKeys("verification-code")[0]!, verificationId, code);
}

function matchesCode(verificationId: string, code: string, codeHash: string): boolean {
  return derivedKeys("verification-code").some((key) => safeEqual(hashCodeUnder(key, verificationId, code), codeHash));
}

export function hashLinkToken(token: string): string {
  return sha256(token);
}

export function generateCode(): string {
  return crypto.randomInt(0, 1_000_000).toString().padStart(6, "0");
}

export function newVerificationSecrets(): VerificationSecrets {
  return { id: newId("verification"), code: generateCode(), linkToken: randomToken(32) };
}

/**
 * Stores a code + link for one email (S4), hashed, in the caller's
 * transaction. Earlier open verifications of the same attempt (or, without an
 * attempt, the same identifier and purpose) stop working: only the newest
 * email counts, its code AND its link.
 */
export async function storeVerification(
  tx: Tx,
  secrets: VerificationSecrets,
  input: { purpose: VerificationPurpose; identifier: string; userId?: string | null; attemptId?: string | null },
  now = new Date(),
): Promise<{ id: string; expiresAt: Date }> {
  await tx.verification.updateMany({
    where: {
      consumedAt: null,
      expiresAt: { gt: now },
      ...(input.attemptId
        ? { attemptId: input.attemptId }
        : { identifier: input.identifier, purpose: input.purpose, attemptId: null }),
    },
    data: { expiresAt: now },
  });
  const expiresAt = new Date(now.getTime() + VERIFICATION_TTL_MS);
  await tx.verification.create({
    data: {
      id: secrets.id,
      purpose: input.purpose,
      identifier: input.identifier,
      userId: input.userId ?? null,
      attemptId: input.attemptId ?? null,
      codeHash: hashCode(secrets.id, secrets.code),
      linkTokenHash: hashLinkToken(secrets.linkToken),
      maxAttempts: MAX_CODE_ATTEMPTS,
      expiresAt,
      lastSentAt: now,
      createdAt: now,
    },
  });
  return { id: secrets.id, expiresAt };
}

/**
 * Every email with a code or link to `identifier` (a first send or a resend
 * for an attempt) is charged here (S10): 3 per 10 minutes per address and
 * flow (sign-in, sign-up, reset, verifying an address), so resending by
 * attempt id cannot mail an address more often, and 20 per day per address
 * across flows, so nobody can turn the portal into a mail bomb. A new user
 * trying sign-up, code sign-in and a reset in one sitting stays within it.
 */
export async function chargeEmailSend(identifier: string, purpose: VerificationPurpose): Promise<void> {
  return chargeSend(identifier, purpose, "email");
}

/** The same budget for any channel: an SMS to a phone number counts like an email to an address. */
export async function chargeSend(identifier: string, purpose: VerificationPurpose, channel: "email" | "sms"): Promise<void> {
  const message = channel === "sms" ? "Too many text messages to this number." : "Too many emails to this address.";
  await enforceRateLimit(RATE_LIMIT_RULES.sendPerIdentifier, `${purpose}:${identifier}`, undefined, message);
  await enforceRateLimit(RATE_LIMIT_RULES.sendPerIdentifierPerDay, identifier, undefined, message);
}

const TOO_MANY_WRONG_CODES = "Too many incorrect codes for this address.";

/**
 * S4 resend cooldown: one email per identifier and purpose every 30 s. Applies
 * the same to unknown addresses (their verification rows exist too), so it
 * reveals nothing.
 */
export async function assertResendAllowed(
  where: { identifier: string; purpose: VerificationPurpose } | { attemptId: string },
  now = new Date(),
): Promise<void> {
  const latest = await db.verification.findFirst({
    where:
      "attemptId" in where ? { attemptId: where.attemptId } : { identifier: where.identifier, purpose: where.purpose },
    orderBy: { lastSentAt: "desc" },
    select: { lastSentAt: true },
  });
  if (!latest) return;
  const waitMs = latest.lastSentAt.getTime() + RESEND_COOLDOWN_MS - now.getTime();
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    throw new AppError("rate_limited", `Please wait ${seconds} ${seconds === 1 ? "second" : "seconds"} before requesting another email.`, {
      retryAfter: seconds,
    });
  }
}

export function verificationState(row: VerificationRow, now = new Date()): VerificationState {
  if (row.consumedAt) return "used";
  if (row.attempts >= row.maxAttempts) return "voided";
  if (row.expiresAt <= now) return "expired";
  return "valid";
}

const STATE_ERRORS: Record<Exclude<VerificationState, "valid">, () => AppError> = {
  used: () => new AppError("verification_used", "This code or link has already been used."),
  expired: () => new AppError("verification_expired", "This code or link has expired. Request a new one."),
  voided: () => new AppError("verification_voided", "Too many incorrect codes. Request a new one."),
};

export function assertUsable(row: VerificationRow, now = new Date()): void {
  const state = verificationState(row, now);
  if (state !== "valid") throw STATE_ERRORS[state]();
}

/**
 * Checks a code without consuming it. Wrong codes are budgeted twice: 5 per
 * code (counted first, atomically, with one UPDATE ... RETURNING, so parallel
 * guesses cannot exceed it) and 15 per hour per address across resends and
 * attempts (S10), so asking for fresh codes buys no extra guesses. The
 * comparison is constant-time. Throws verification_incorrect (with the tries
 * left), rate_limited, or the state error.
 */
export async function checkCode(
  verification: { id: string; identifier: string },
  code: string,
  now = new Date(),
): Promise<void> {
  await assertBudgetLeft(RATE_LIMIT_RULES.codeFailuresPerIdentifier, verification.identifier, TOO_MANY_WRONG_CODES);
  const counted = await db.$queryRaw<{ codeHash: string | null; attempts: number; maxAttempts: number }[]>`
    UPDATE "Verification" SET attempts = attempts + 1
    WHERE id = ${verification.id} AND "consumedAt" IS NULL AND "expiresAt" > ${now} AND attempts < "maxAttempts"
    RETURNING "codeHash", attempts, "maxAttempts"`;
  const row = counted[0];
  if (!row) {
    const current = await db.verification.findUnique({ where: { id: verification.id } });
    if (!current) throw STATE_ERRORS.expired();
    assertUsable(current, now);
    throw STATE_ERRORS.expired();
  }
  if (row.codeHash && /^\d{6}$/.test(code) && matchesCode(verification.id, code, row.codeHash)) return;
  await chargeCodeFailure(verification.identifier);
  const left = row.maxAttempts - row.attempts;
  await recordAuditEvent({ type: "verification.failed", targetId: verification.id, data: { attemptsLeft: Math.max(0, left) } });
  if (left <= 0) throw STATE_ERRORS.voided();
  throw new AppError(
    "verification_incorrect",
    `That code is incorrect. ${left} ${left === 1 ? "try" : "tries"} left.`,
    {
      fields: { code: [`That code is incorrect. ${left} ${left === 1 ? "try" : "tries"} left.`] },
    },
  );
}

/** Counts one wrong code against the address's budget; the answer stays "incorrect" even if this was the last one. */
async function chargeCodeFailure(identifier: string): Promise<void> {
  try {
    await enforceRateLimit(RATE_LIMIT_RULES.codeFailuresPerIdentifier, identifier);
  } catch (error) {
    if (!(error instanceof AppError && error.code === "rate_limited")) throw error;
  }
}

/**
 * Single use, atomically (S4): only the first of N concurrent callers gets
 * count === 1; everyone else is told it was already used. Run it inside the
 * transaction that acts on the verification, so a failure there un-consumes.
 */
export async function consumeVerification(
  tx: Tx,
  verificationId: string,
  now = new Date(),
  options: { confirmed?: boolean } = {},
): Promise<void> {
  const { count } = await tx.verification.updateMany({
    where: { id: verificationId, consumedAt: null, expiresAt: { gt: now } },
    data: { consumedAt: now, ...(options.confirmed ? { confirmedAt: now } : {}) },
  });
  if (count !== 1) {
    const current = await tx.verification.findUnique({ where: { id: verificationId } });
    if (current && verificationState(current, now) === "expired") throw STATE_ERRORS.expired();
    throw STATE_ERRORS.used();
  }
}

export async function findByLinkToken(token: string) {
  return db.verification.findUnique({ where: { linkTokenHash: hashLinkToken(token) } });
}

/** The newest verification of a sign-in/sign-up attempt. */
export async function latestForAttempt(attemptId: string) {
  return db.verification.findFirst({ where: { attemptId }, orderBy: { createdAt: "desc" } });
}

/**
 * After a correct reset code, the verification's link token is replaced by a
 * fresh one handed to the browser: the next step (new password) then proves
 * the code was right without counting another try.
 */
export async function replaceLinkToken(verificationId: string): Promise<string> {
  const token = randomToken(32);
  await db.verification.update({ where: { id: verificationId }, data: { linkTokenHash: hashLinkToken(token) } });
  return token;
}
