import "server-only";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { enqueueEmail, enqueueNothing, kickOutbox, prepareEmail } from "@/lib/email";
import { getInstanceSettings } from "@/lib/settings";
import { ensureClient, isSameClient, issueTokenForSession, type RequestContext, type StartedSession } from "@/lib/session";
import { completeVerifiedSignUp, confirmLinkUrl, resendSignUpEmail, startVerifiedSignUp } from "@/lib/sign-up";
import { normalizeEmail } from "@/lib/users";
import {
  assertResendAllowed,
  assertUsable,
  checkCode,
  confirmEmailAddressLink,
  consumeVerification,
  findByLinkToken,
  issueVerification,
  latestForAttempt,
  RESEND_COOLDOWN_MS,
  VERIFICATION_TTL_MS,
  verificationState,
  type VerificationState,
} from "@/lib/verification";
import { completeFirstFactor, type FirstFactor } from "./complete";

/**
 * Email code and magic-link sign-in / sign-up (S4). One email carries both a
 * 6-digit code and a link to a confirm page; either one finishes the attempt.
 *
 * Devices: the attempt belongs to the browser (client) that asked for it.
 * The code is entered there. A link opened in that same browser finishes
 * there (and the waiting tab notices through `emailAttemptStatus`); opened on
 * another device it only confirms ("return to your original device"), and the
 * original tab picks up the session on its next poll — unless the admin
 * setting lets the other device sign in itself.
 */

export const SIGN_IN_ATTEMPT_TTL_MS = 30 * 60_000;

export type EmailIntent = "sign_in" | "sign_up";

export type EmailSent = { status: "sent"; attemptId: string; resendAfter: number; newClientToken: string | null };

export type EmailFlowResult =
  | { status: "complete"; redirectUrl: string | null; session: StartedSession }
  | { status: "needs_second_factor"; attemptId: string; redirectUrl: string | null };

export type LinkConfirmation = EmailFlowResult | { status: "verified_elsewhere" } | { status: "email_verified" };

export type AttemptStatus =
  | { status: "pending"; expiresAt: string }
  | { status: "complete"; redirectUrl: string | null; session?: StartedSession }
  | { status: "complete_elsewhere" }
  | { status: "needs_second_factor"; attemptId: string; redirectUrl: string | null }
  | { status: "expired" }
  | { status: "failed" };

const ATTEMPT_GONE = () =>
  new AppError("not_found", "This sign-in request has expired or belongs to another browser. Start again.");

/** POST /api/auth/email/send: same answer, same work for known and unknown addresses (S10). */
export async function sendEmailCode(
  input: { email: string; intent: EmailIntent; redirectUrl?: string; clientToken: string | null },
  context: RequestContext,
): Promise<EmailSent> {
  const emailNormalized = normalizeEmail(input.email);
  if (input.intent === "sign_up") {
    const sent = await startVerifiedSignUp(
      { email: input.email, emailNormalized, redirectUrl: input.redirectUrl, clientToken: input.clientToken },
      context,
    );
    return {
      status: "sent",
      attemptId: sent.attemptId,
      resendAfter: sent.resendAfter,
      newClientToken: sent.newClientToken,
    };
  }
  const now = context.now ?? new Date();
  await assertResendAllowed({ identifier: emailNormalized, purpose: "sign_in" }, now);
  const address = await db.emailAddress.findUnique({ where: { emailNormalized }, select: { userId: true } });
  const attemptId = newId("signInAttempt");
  const newClientToken = await db.$transaction(async (tx) => {
    const { clientId, newClientToken } = await ensureClient(tx, input.clientToken, context.userAgent);
    await tx.signInAttempt.create({
      data: {
        id: attemptId,
        clientId,
        status: "needs_first_factor",
        identifier: emailNormalized,
        userId: address?.userId ?? null,
        redirectUrl: input.redirectUrl,
        expiresAt: new Date(now.getTime() + SIGN_IN_ATTEMPT_TTL_MS),
        createdAt: now,
      },
    });
    await sendSignInEmail(tx, { attemptId, to: input.email.trim(), emailNormalized, known: Boolean(address) }, context);
    return newClientToken;
  });
  kickOutbox();
  return { status: "sent", attemptId, resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken };
}

async function sendSignInEmail(
  tx: Tx,
  input: { attemptId: string; to: string; emailNormalized: string; known: boolean },
  context: RequestContext,
): Promise<void> {
  const now = context.now ?? new Date();
  const issued = await issueVerification(
    tx,
    { purpose: "sign_in", identifier: input.emailNormalized, attemptId: input.attemptId },
    now,
  );
  // Rendered for unknown addresses too, so both answers cost the same (S10) ...
  const email = await prepareEmail(input.to, {
    template: "sign_in_code",
    code: issued.code,
    link: confirmLinkUrl(context.issuer, issued.linkToken),
    expiresInMinutes: VERIFICATION_TTL_MS / 60_000,
  });
  // ... but only a known address gets it. The verification exists either way (same cooldown, same answer).
  if (input.known) await enqueueEmail(tx, email, now);
  else await enqueueNothing(tx);
}

/** Resend for the same attempt (the waiting tab keeps its attempt id); 30 s cooldown (S4). */
export async function resendEmailCode(
  input: { attemptId: string; clientToken: string | null },
  context: RequestContext,
): Promise<EmailSent> {
  const attempt = await loadOwnAttempt(input.attemptId, input.clientToken);
  if (attempt.status !== "needs_first_factor" && attempt.status !== "needs_verification") {
    throw new AppError("verification_used", "This sign-in has already been completed.");
  }
  if (attempt.kind === "sign_up") {
    const sent = await resendSignUpEmail({ id: attempt.id, emailAddress: attempt.email }, input.clientToken, context);
    return { status: "sent", attemptId: attempt.id, resendAfter: sent.resendAfter, newClientToken: null };
  }
  const now = context.now ?? new Date();
  await assertResendAllowed({ attemptId: attempt.id }, now);
  await db.$transaction(async (tx) => {
    await tx.signInAttempt.update({
      where: { id: attempt.id },
      data: { expiresAt: new Date(now.getTime() + SIGN_IN_ATTEMPT_TTL_MS) },
    });
    await sendSignInEmail(
      tx,
      { attemptId: attempt.id, to: attempt.email, emailNormalized: attempt.email, known: attempt.userId !== null },
      context,
    );
  });
  kickOutbox();
  return { status: "sent", attemptId: attempt.id, resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken: null };
}

/** POST /api/auth/email/verify-code: the code is entered on the device that asked for it. */
export async function verifyEmailCode(
  input: { attemptId: string; code: string; clientToken: string | null },
  context: RequestContext,
): Promise<EmailFlowResult> {
  const now = context.now ?? new Date();
  const attempt = await loadOwnAttempt(input.attemptId, input.clientToken);
  if (attempt.status === "complete" || attempt.status === "needs_second_factor") {
    throw new AppError("verification_used", "This code has already been used.");
  }
  const verification = await latestForAttempt(attempt.id);
  if (!verification) throw new AppError("verification_expired", "This code has expired. Request a new one.");
  await checkCode(verification.id, input.code.trim(), now);
  return finishInTransaction(
    attempt,
    { verificationId: verification.id, clientToken: input.clientToken, factor: "email_code" },
    context,
  );
}

/** What the confirm page shows before the user clicks (a GET must never consume, S4). */
export async function inspectEmailLink(
  token: string,
  now = new Date(),
): Promise<{ state: VerificationState | "invalid"; purpose?: string }> {
  const verification = token ? await findByLinkToken(token) : null;
  if (!verification) return { state: "invalid" };
  return { state: verificationState(verification, now), purpose: verification.purpose };
}

/** POST /api/auth/email/confirm-link: consumes the link atomically (N concurrent POSTs -> one session). */
export async function confirmEmailLink(
  input: { token: string; clientToken: string | null },
  context: RequestContext,
): Promise<LinkConfirmation> {
  const now = context.now ?? new Date();
  const verification = await findByLinkToken(input.token);
  if (verification?.purpose === "verify_email") {
    // An address added to an account: confirming marks it verified, wherever the link is opened.
    await confirmEmailAddressLink(verification, now);
    return { status: "email_verified" };
  }
  if (
    !verification ||
    !verification.attemptId ||
    (verification.purpose !== "sign_in" && verification.purpose !== "sign_up")
  ) {
    throw new AppError("verification_expired", "This link is invalid or has expired. Request a new one.");
  }
  assertUsable(verification, now);
  const attempt = await loadAttempt(verification.attemptId);
  if (!attempt) throw new AppError("verification_expired", "This link is invalid or has expired. Request a new one.");

  const sameDevice = isSameClient(input.clientToken, attempt.clientTokenHash);
  const settings = await getInstanceSettings();
  if (sameDevice || settings.emailLinkSignsInOnOtherDevice) {
    return finishInTransaction(
      attempt,
      { verificationId: verification.id, clientToken: input.clientToken, factor: "email_link" },
      context,
    );
  }
  // Other device: confirm only; the original tab opens the session on its next poll.
  await db.$transaction((tx) => consumeVerification(tx, verification.id, now, { confirmed: true }));
  return { status: "verified_elsewhere" };
}

/** GET /api/auth/email/status: polled by the original tab every 2 s. */
export async function emailAttemptStatus(
  input: { attemptId: string; clientToken: string | null },
  context: RequestContext,
): Promise<AttemptStatus> {
  const now = context.now ?? new Date();
  const attempt = await loadOwnAttempt(input.attemptId, input.clientToken);
  if (attempt.status === "needs_second_factor")
    return { status: "needs_second_factor", attemptId: attempt.id, redirectUrl: attempt.redirectUrl };
  if (attempt.status === "complete") {
    const session = attempt.createdSessionId
      ? await db.session.findUnique({ where: { id: attempt.createdSessionId }, select: { clientId: true } })
      : null;
    return session?.clientId === attempt.clientId
      ? { status: "complete", redirectUrl: attempt.redirectUrl }
      : { status: "complete_elsewhere" };
  }
  const verification = await latestForAttempt(attempt.id);
  if (!verification) return { status: "expired" };
  if (verification.consumedAt && verification.confirmedAt) {
    // Confirmed from another device: this (original) browser signs in now.
    try {
      const result = await finishInTransaction(
        attempt,
        { verificationId: null, clientToken: input.clientToken, factor: "email_link" },
        context,
      );
      return result.status === "complete"
        ? { status: "complete", redirectUrl: result.redirectUrl, session: result.session }
        : result;
    } catch (error) {
      // A concurrent poll finished it first: its response carries the cookies.
      if (error instanceof AppError && error.code === "verification_used")
        return { status: "complete", redirectUrl: attempt.redirectUrl };
      throw error;
    }
  }
  const state = verificationState(verification, now);
  if (state === "voided") return { status: "failed" };
  if (state !== "valid" || attempt.expiresAt <= now) return { status: "expired" };
  return { status: "pending", expiresAt: verification.expiresAt.toISOString() };
}

// ---------------------------------------------------------------------------

type LoadedAttempt = {
  kind: "sign_in" | "sign_up";
  id: string;
  clientId: string;
  clientTokenHash: string;
  status: string;
  email: string;
  userId: string | null;
  redirectUrl: string | null;
  createdSessionId: string | null;
  expiresAt: Date;
};

async function loadAttempt(attemptId: string): Promise<LoadedAttempt | null> {
  if (attemptId.startsWith("sua_")) {
    const row = await db.signUpAttempt.findUnique({
      where: { id: attemptId },
      include: { client: { select: { tokenHash: true } } },
    });
    return row
      ? { ...row, kind: "sign_up", clientTokenHash: row.client.tokenHash, email: row.emailAddress ?? "" }
      : null;
  }
  const row = await db.signInAttempt.findUnique({
    where: { id: attemptId },
    include: { client: { select: { tokenHash: true } } },
  });
  return row ? { ...row, kind: "sign_in", clientTokenHash: row.client.tokenHash, email: row.identifier ?? "" } : null;
}

/** An attempt is only usable from the browser that started it. */
async function loadOwnAttempt(attemptId: string, clientToken: string | null): Promise<LoadedAttempt> {
  const attempt = await loadAttempt(attemptId);
  if (!attempt || !isSameClient(clientToken, attempt.clientTokenHash)) throw ATTEMPT_GONE();
  return attempt;
}

/**
 * Consumes the verification (unless the link already did) and moves the
 * attempt to its next step, in one transaction: if anything fails, the code
 * or link still works.
 */
async function finishInTransaction(
  attempt: LoadedAttempt,
  input: { verificationId: string | null; clientToken: string | null; factor: FirstFactor },
  context: RequestContext,
): Promise<EmailFlowResult> {
  const now = context.now ?? new Date();
  const outcome = await db.$transaction(async (tx) => {
    if (input.verificationId)
      await consumeVerification(tx, input.verificationId, now, { confirmed: input.factor === "email_link" });
    if (attempt.kind === "sign_up") {
      const done = await completeVerifiedSignUp(tx, { attemptId: attempt.id, clientToken: input.clientToken }, context);
      return { status: "complete" as const, ...done };
    }
    const user = attempt.userId ? await tx.user.findUnique({ where: { id: attempt.userId } }) : null;
    // Unknown address: no email was sent, so nobody can hold this code. Answer like a wrong code.
    if (!user)
      throw new AppError("verification_incorrect", "That code is incorrect.", {
        fields: { code: ["That code is incorrect."] },
      });
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const result = await completeFirstFactor(
      tx,
      { attemptId: attempt.id, user, email: attempt.email, factor: input.factor, client },
      context,
    );
    return result.status === "complete" ? { ...result, userId: user.id } : result;
  });
  if (outcome.status === "needs_second_factor")
    return { status: "needs_second_factor", attemptId: attempt.id, redirectUrl: attempt.redirectUrl };
  const session = await issueTokenForSession(outcome.opened, { userId: outcome.userId, role: outcome.role }, context);
  return { status: "complete", redirectUrl: attempt.redirectUrl, session };
}
