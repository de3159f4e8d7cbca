import "server-only";
import { db } from "@/lib/db";
import { honeypotTripped, recordClientFailure, requireHumanIfRisky, screenSignUp, type HumanProof } from "@/lib/bot-protection";
import { newId } from "@/lib/ids";
import { AppError } from "@/lib/errors";
import { recordAuditEvent } from "@/lib/audit";
import { enqueueEmail, enqueueNothing, kickOutbox, prepareEmail, type RequestedFrom } from "@/lib/email";
import { assertVerificationBy, getInstanceSettings } from "@/lib/settings";
import { ensureClient, isKnownDeviceOf, isSignedInAs, issueTokenForSession, readKnownDevice, type RequestContext, type StartedSession } from "@/lib/session";
import { confirmLinkUrl, resendSignUpEmail, startVerifiedSignUp } from "@/lib/sign-up";
import { assertSignInAllowed, assertSignUpAllowed, findAccountByEmail, normalizeEmail } from "@/lib/users";
import {
  assertResendAllowed,
  assertUsable,
  chargeEmailSend,
  checkCode,
  confirmEmailAddressLink,
  consumeVerification,
  findByLinkToken,
  latestForAttempt,
  newVerificationSecrets,
  RESEND_COOLDOWN_MS,
  storeVerification,
  VERIFICATION_TTL_MS,
  verificationState,
  type VerificationSecrets,
  type VerificationState,
} from "@/lib/verification";
import {
  abandonAttempt,
  attemptGone,
  awaitSignUpPasskey,
  belongsToBrowser,
  createSignInAttempt,
  EMAIL_ATTEMPT_TTL_MS,
  extendAttempt,
  finishSignIn,
  finishSignUp,
  isOpenAttempt,
  loadAttempt,
  loadAttemptForBrowser,
  startedInBrowserBeforeSignIn,
  type Attempt,
  type FirstFactor,
} from "./attempts";
import { requestedFrom } from "./requested-from";
import { assertEmailSignInEnabled, assertSignInMethodEnabled, type SignInMethodSettings } from "./methods";
import { secondFactorMethods, type SecondFactorMethods } from "@/lib/mfa";

/**
 * The email strategies of the sign-in attempt (S4): one email carries a
 * 6-digit code and a link to a confirm page; either one proves the address.
 *
 * Both complete ONLY in the browser that asked (its client): the code is
 * typed there, and a link opened there finishes there (the waiting tab
 * notices through `emailAttemptStatus`). A link opened in any other browser
 * completes nothing: the page says to open it on the device that asked or to
 * type the code there, so someone who types a victim's address never gets a
 * session out of the victim's click. An admin may allow cross-device
 * completion (`emailLinkCrossDevice`): the other device then sees where the
 * request came from before approving it for the browser that asked.
 */

export type EmailIntent = "sign_in" | "sign_up";

export type EmailSent = { status: "sent"; attemptId: string; resendAfter: number; newClientToken: string | null };

export type EmailFlowResult =
  | { status: "complete"; redirectUrl: string | null; session: StartedSession }
  | { status: "needs_second_factor"; attemptId: string; redirectUrl: string | null; methods: SecondFactorMethods }
  /** A passkey sign-up (S13): the email is verified; the browser that asked creates the passkey next. */
  | PasskeyStep;

export type PasskeyStep = { status: "needs_passkey"; attemptId: string; redirectUrl: string | null };

export type LinkConfirmation =
  | EmailFlowResult
  /** Cross-device completion is on: the browser that asked signs in on its next poll. */
  | { status: "verified_elsewhere" }
  | { status: "email_verified" }
  /** Another browser: nothing was consumed or completed. */
  | { status: "open_on_original_device"; requestedFrom: RequestedFrom | null };

export type LinkInspection =
  | { state: Exclude<VerificationState, "valid"> | "invalid"; purpose?: string }
  | {
      state: "valid";
      purpose: string;
      /** This browser asked for the link (or, for an added address, is signed in as its owner). */
      sameBrowser: boolean;
      /** Another browser may approve it for the one that asked (admin setting). */
      crossDeviceAllowed: boolean;
      requestedFrom: RequestedFrom | null;
    };

export type AttemptStatus =
  | { status: "pending"; expiresAt: string }
  | { status: "complete"; redirectUrl: string | null; session?: StartedSession }
  | { status: "needs_second_factor"; attemptId: string; redirectUrl: string | null; methods: SecondFactorMethods }
  | PasskeyStep
  | { status: "expired" }
  | { status: "failed" };

const LINK_INVALID = () => new AppError("verification_expired", "This link is invalid or has expired. Request a new one.");

/** POST /api/auth/email/send: same answer, same work for known and unknown addresses (S10). */
export async function sendEmailCode(
  input: { email: string; intent: EmailIntent; redirectUrl?: string; clientToken: string | null } & HumanProof,
  context: RequestContext,
): Promise<EmailSent> {
  const emailNormalized = normalizeEmail(input.email);
  // Bot protection (S10): a filled honeypot gets the usual answer about an attempt that does not exist.
  if (await honeypotTripped(input, input.intent, context)) {
    return { status: "sent", attemptId: newId(input.intent === "sign_up" ? "signUpAttempt" : "signInAttempt"), resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken: null };
  }
  if (input.intent === "sign_up") {
    const settings = await getInstanceSettings();
    assertSignUpAllowed(emailNormalized, settings);
    await screenSignUp({ emailNormalized, proof: input }, settings, context);
    const sent = await startVerifiedSignUp(
      { email: input.email, emailNormalized, redirectUrl: input.redirectUrl, clientToken: input.clientToken },
      context,
    );
    return { status: "sent", attemptId: sent.attemptId, resendAfter: sent.resendAfter, newClientToken: sent.newClientToken };
  }
  const settings = await getInstanceSettings();
  // Policy first (S8): the answer depends on the settings and the typed address only, never on an account.
  assertEmailSignInEnabled(settings);
  assertSignInAllowed(emailNormalized, settings);
  const now = context.now ?? new Date();
  // Emailed codes sign in only through a verified address (S10).
  const account = await findAccountByEmail(emailNormalized, { allowUnverifiedPrimary: false });
  const knownDevice = isKnownDeviceOf(readKnownDevice(context.deviceToken), account?.user.id);
  // Keyed as the send is counted (chargeEmailSend: purpose and address).
  await requireHumanIfRisky(input, { action: "email_code", identifierKey: `sign_in:${emailNormalized}`, knownDevice, settings }, context);
  await assertResendAllowed({ identifier: emailNormalized, purpose: "sign_in" }, now);
  await chargeEmailSend(emailNormalized, "sign_in");
  const secrets = newVerificationSecrets();
  const email = await renderSignInEmail(input.email.trim(), secrets, context.issuer, { ...context, createdAt: now }, settings);
  const { attemptId, newClientToken } = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = await createSignInAttempt(
      tx,
      { client, identifier: emailNormalized, userId: account?.user.id ?? null, redirectUrl: input.redirectUrl, ttlMs: EMAIL_ATTEMPT_TTL_MS },
      context,
    );
    await storeVerification(tx, secrets, { purpose: "sign_in", identifier: emailNormalized, attemptId }, now);
    // The verification exists either way (same cooldown, same answer), but only a known address gets the email.
    if (account) await enqueueEmail(tx, email, now);
    else await enqueueNothing(tx);
    return { attemptId, newClientToken: client.newClientToken };
  });
  kickOutbox();
  return { status: "sent", attemptId, resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken };
}

/**
 * Rendered for unknown addresses too (before the transaction), so both answers
 * cost the same (S10). It carries the code, the link, or both: whichever
 * sign-in method is on (S8).
 */
function renderSignInEmail(
  to: string,
  secrets: VerificationSecrets,
  issuer: string,
  startedBy: { userAgent: string | null; ip: string | null; createdAt: Date },
  settings: SignInMethodSettings,
) {
  return prepareEmail(to, {
    template: "sign_in_code",
    ...(settings.emailCodeSignIn ? { code: secrets.code } : {}),
    ...(settings.emailLinkSignIn ? { link: confirmLinkUrl(issuer, secrets.linkToken) } : {}),
    expiresInMinutes: VERIFICATION_TTL_MS / 60_000,
    requestedFrom: requestedFrom(startedBy),
  });
}

/**
 * Resend for the same attempt (the waiting tab keeps its attempt id). A resend
 * is an email like any other: 30 s cooldown (S4) and the address's send budget (S10).
 */
export async function resendEmailCode(
  input: { attemptId: string; clientToken: string | null },
  context: RequestContext,
): Promise<EmailSent> {
  const attempt = await loadAttemptForBrowser(input.attemptId, input.clientToken);
  // A phone attempt's codes go by SMS (phone-flow.ts), never by email.
  if (attempt.channel !== "email") throw attemptGone();
  if (!isOpenAttempt(attempt)) throw new AppError("verification_used", "This sign-in has already been completed.");
  if (attempt.kind === "sign_up") {
    const sent = await resendSignUpEmail(attempt, context);
    return { status: "sent", attemptId: attempt.id, resendAfter: sent.resendAfter, newClientToken: null };
  }
  const settings = await getInstanceSettings();
  assertEmailSignInEnabled(settings);
  const now = context.now ?? new Date();
  await assertResendAllowed({ attemptId: attempt.id }, now);
  await chargeEmailSend(attempt.identifier, "sign_in");
  const secrets = newVerificationSecrets();
  const email = await renderSignInEmail(attempt.identifier, secrets, context.issuer, attempt, settings);
  await db.$transaction(async (tx) => {
    await extendAttempt(tx, attempt, EMAIL_ATTEMPT_TTL_MS, now);
    await storeVerification(tx, secrets, { purpose: "sign_in", identifier: attempt.identifier, attemptId: attempt.id }, now);
    if (attempt.userId) await enqueueEmail(tx, email, now);
    else await enqueueNothing(tx);
  });
  kickOutbox();
  return { status: "sent", attemptId: attempt.id, resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken: null };
}

/** POST /api/auth/email/verify-code: the code is entered in the browser that asked for it. */
export async function verifyEmailCode(
  input: { attemptId: string; code: string; clientToken: string | null },
  context: RequestContext,
): Promise<EmailFlowResult> {
  const now = context.now ?? new Date();
  const attempt = await loadAttemptForBrowser(input.attemptId, input.clientToken);
  // An SMS code completes a phone attempt only through phone-flow.ts.
  if (attempt.channel !== "email") throw attemptGone();
  if (!isOpenAttempt(attempt)) throw new AppError("verification_used", "This code has already been used.");
  if (attempt.kind === "sign_in") assertSignInMethodEnabled(await getInstanceSettings(), "email_code");
  else assertVerificationBy(await getInstanceSettings(), "code");
  const verification = await latestForAttempt(attempt.id);
  if (!verification) throw new AppError("verification_expired", "This code has expired. Request a new one.");
  await checkCode(verification, input.code.trim(), now).catch(async (error: unknown) => {
    // Wrong codes from one client are a risk signal for its next sends and sign-ins (S10).
    if (error instanceof AppError && error.code === "verification_incorrect") await recordClientFailure(context);
    throw error;
  });
  return finishAttempt(attempt, { verificationId: verification.id, factor: "email_code" }, context);
}

/**
 * What the confirm page shows before anyone clicks (a GET never consumes, S4):
 * the link's state and whether THIS browser may complete it.
 */
export async function inspectEmailLink(token: string, clientToken: string | null, now = new Date()): Promise<LinkInspection> {
  const verification = token ? await findByLinkToken(token) : null;
  if (!verification) return { state: "invalid" };
  const state = verificationState(verification, now);
  if (state !== "valid") return { state, purpose: verification.purpose };
  if (verification.purpose === "verify_email") {
    const sameBrowser = verification.userId ? await isSignedInAs(clientToken, verification.userId) : false;
    return { state, purpose: verification.purpose, sameBrowser, crossDeviceAllowed: false, requestedFrom: null };
  }
  const attempt = verification.attemptId ? await loadAttempt(verification.attemptId) : null;
  if (!attempt || !isOpenAttempt(attempt) || attempt.expiresAt <= now) return { state: "expired", purpose: verification.purpose };
  const settings = await getInstanceSettings();
  return {
    state,
    purpose: verification.purpose,
    sameBrowser: belongsToBrowser(attempt, clientToken),
    crossDeviceAllowed: settings.emailLinkCrossDevice,
    requestedFrom: requestedFrom(attempt),
  };
}

/** POST /api/auth/email/confirm-link: consumes the link atomically (N concurrent POSTs -> one session). */
export async function confirmEmailLink(
  input: { token: string; clientToken: string | null },
  context: RequestContext,
): Promise<LinkConfirmation> {
  const now = context.now ?? new Date();
  const verification = await findByLinkToken(input.token);
  if (verification?.purpose === "verify_email") {
    // An address added to an account: only a browser signed in as its owner confirms it (anywhere else, type the code).
    if (!verification.userId || !(await isSignedInAs(input.clientToken, verification.userId))) {
      return { status: "open_on_original_device", requestedFrom: null };
    }
    await confirmEmailAddressLink(verification, now);
    return { status: "email_verified" };
  }
  if (!verification?.attemptId || (verification.purpose !== "sign_in" && verification.purpose !== "sign_up")) throw LINK_INVALID();
  assertUsable(verification, now);
  const attempt = await loadAttempt(verification.attemptId);
  if (!attempt) throw LINK_INVALID();
  // Refused before anything is consumed: the code in the same email may still be typed.
  if (attempt.kind === "sign_in") assertSignInMethodEnabled(await getInstanceSettings(), "email_link");
  else assertVerificationBy(await getInstanceSettings(), "link");

  if (belongsToBrowser(attempt, input.clientToken)) {
    return finishAttempt(attempt, { verificationId: verification.id, factor: "email_link" }, context);
  }
  const settings = await getInstanceSettings();
  if (!settings.emailLinkCrossDevice) return { status: "open_on_original_device", requestedFrom: requestedFrom(attempt) };
  // Approved from another device (it was shown where the request came from): the browser that asked completes on its next poll.
  await db.$transaction((tx) => consumeVerification(tx, verification.id, now, { confirmed: true }));
  return { status: "verified_elsewhere" };
}

/**
 * POST /api/auth/email/deny-link: "this wasn't me". Whoever holds the link
 * received the email; saying so voids the code, the link and the attempt.
 */
export async function denyEmailLink(input: { token: string }, context: RequestContext): Promise<{ status: "denied" }> {
  const now = context.now ?? new Date();
  const verification = await findByLinkToken(input.token);
  if (!verification?.attemptId || (verification.purpose !== "sign_in" && verification.purpose !== "sign_up")) throw LINK_INVALID();
  assertUsable(verification, now);
  const attempt = await loadAttempt(verification.attemptId);
  if (!attempt) throw LINK_INVALID();
  await db.$transaction(async (tx) => {
    await tx.verification.updateMany({ where: { attemptId: attempt.id, consumedAt: null }, data: { expiresAt: now } });
    await abandonAttempt(tx, attempt, now);
    await recordAuditEvent(
      {
        type: "attempt.denied",
        targetId: attempt.id,
        ip: context.ip,
        userAgent: context.userAgent,
        data: { kind: attempt.kind, requestedFromIp: attempt.ip, userId: attempt.userId },
      },
      tx,
    );
  });
  return { status: "denied" };
}

/** The state of an attempt that someone else just finished: what the polling tab should do next. */
async function settledAttemptStatus(attempt: Pick<Attempt, "id" | "redirectUrl">): Promise<AttemptStatus> {
  const current = await loadAttempt(attempt.id);
  if (current?.status === "needs_second_factor" && current.userId) {
    return { status: "needs_second_factor", attemptId: current.id, redirectUrl: current.redirectUrl, methods: await secondFactorMethods(current.userId) };
  }
  if (current?.status === "complete") return { status: "complete", redirectUrl: current.redirectUrl };
  if (current?.status === "needs_passkey") return { status: "needs_passkey", attemptId: current.id, redirectUrl: current.redirectUrl };
  // Still open (the other request has not moved it on yet): the next poll will tell.
  if (current && isOpenAttempt(current)) return { status: "pending", expiresAt: current.expiresAt.toISOString() };
  return { status: "failed" };
}

/** GET /api/auth/email/status: polled by the browser that asked, every 2 s. */
export async function emailAttemptStatus(
  input: { attemptId: string; clientToken: string | null },
  context: RequestContext,
): Promise<AttemptStatus> {
  const now = context.now ?? new Date();
  const found = await loadAttempt(input.attemptId);
  // This browser signed in with the attempt in another tab, but this poll carries the `__client`
  // cookie from before that sign-in: not gone, and not "complete" yet either. The other tab's
  // answer, with the new cookies, may still be on its way; a tab told "complete" now would
  // navigate without them (and the handshake would find its old client token unknown). The next
  // poll carries the new cookie and reads "complete".
  if (found?.status === "complete" && !belongsToBrowser(found, input.clientToken) && startedInBrowserBeforeSignIn(found, input.clientToken)) {
    return found.expiresAt > now ? { status: "pending", expiresAt: found.expiresAt.toISOString() } : { status: "expired" };
  }
  if (!found || !belongsToBrowser(found, input.clientToken)) throw attemptGone();
  const attempt = found;
  if (attempt.status === "needs_second_factor" && attempt.userId) {
    const methods = await secondFactorMethods(attempt.userId);
    return { status: "needs_second_factor", attemptId: attempt.id, redirectUrl: attempt.redirectUrl, methods };
  }
  // Sessions open only on the attempt's own client: complete means this browser is signed in.
  if (attempt.status === "complete") return { status: "complete", redirectUrl: attempt.redirectUrl };
  if (attempt.status === "needs_passkey") {
    return attempt.expiresAt > now ? { status: "needs_passkey", attemptId: attempt.id, redirectUrl: attempt.redirectUrl } : { status: "expired" };
  }
  if (attempt.status === "abandoned") return { status: "failed" };
  const verification = await latestForAttempt(attempt.id);
  if (!verification) return { status: "expired" };
  if (verification.consumedAt && verification.confirmedAt) {
    // Approved on another device (cross-device completion on): this browser, the one that asked, signs in now.
    try {
      const result = await finishAttempt(attempt, { verificationId: null, factor: "email_link" }, context);
      return result.status === "complete"
        ? { status: "complete", redirectUrl: result.redirectUrl, session: result.session }
        : result;
    } catch (error) {
      // Finished concurrently (another poll, or the link confirmed in this browser): report where
      // that left the attempt. "complete" only when it is; it may be waiting for a second factor.
      if (error instanceof AppError && error.code === "verification_used") return settledAttemptStatus(attempt);
      throw error;
    }
  }
  const state = verificationState(verification, now);
  if (state === "voided") return { status: "failed" };
  if (state !== "valid" || attempt.expiresAt <= now) return { status: "expired" };
  return { status: "pending", expiresAt: verification.expiresAt.toISOString() };
}

// ---------------------------------------------------------------------------

/**
 * Consumes the verification (unless an approval from another device already
 * did) and finishes the attempt in the browser that asked for it, in one
 * transaction: if anything fails, the code or link still works.
 */
async function finishAttempt(
  attempt: Attempt,
  input: { verificationId: string | null; factor: FirstFactor },
  context: RequestContext,
): Promise<EmailFlowResult> {
  const now = context.now ?? new Date();
  const settings = await getInstanceSettings();
  // An admin may have switched the method off since the email went out (S8); sign-ups verify the address either way.
  if (attempt.kind === "sign_in") assertSignInMethodEnabled(settings, input.factor === "email_code" ? "email_code" : "email_link");
  // The browser proved it owns the attempt's client: the session opens on that client.
  const client = { clientId: attempt.clientId, newClientToken: null };
  const user = attempt.kind === "sign_in" && attempt.userId ? await db.user.findUnique({ where: { id: attempt.userId } }) : null;
  // Unknown address: no email was sent, so nobody can hold this code. Answer like a wrong code.
  if (attempt.kind === "sign_in" && !user) {
    throw new AppError("verification_incorrect", "That code is incorrect.", { fields: { code: ["That code is incorrect."] } });
  }

  const outcome = await db.$transaction(async (tx) => {
    if (input.verificationId) await consumeVerification(tx, input.verificationId, now, { confirmed: input.factor === "email_link" });
    if (attempt.kind === "sign_up" && attempt.passkey) {
      // The address is proved; the account is made only once its passkey verifies (lib/sign-up/passkey-sign-up.ts).
      await awaitSignUpPasskey(tx, attempt, now);
      return { status: "needs_passkey" as const };
    }
    if (attempt.kind === "sign_up") {
      const done = await finishSignUp(tx, { attempt, client, emailVerified: true, method: input.factor, settings }, context);
      return { status: "complete" as const, ...done };
    }
    return finishSignIn(tx, { attempt, user: user!, factor: input.factor, client, verifiedEmail: attempt.identifier, settings }, context);
  });
  if (outcome.status === "needs_passkey") return { status: "needs_passkey", attemptId: attempt.id, redirectUrl: attempt.redirectUrl };
  if (outcome.status === "needs_second_factor") {
    const methods = await secondFactorMethods(user!.id);
    return { status: "needs_second_factor", attemptId: attempt.id, redirectUrl: attempt.redirectUrl, methods };
  }
  const session = await issueTokenForSession(
    outcome.opened,
    { userId: outcome.userId, role: outcome.role, ...(attempt.kind === "sign_up" ? { emailVerified: true } : {}) },
    context,
  );
  return { status: "complete", redirectUrl: attempt.redirectUrl, session };
}
