import "server-only";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { enqueueEmail, kickOutbox, prepareEmail } from "@/lib/email";
import { ensureClient, type RequestContext } from "@/lib/session";
import {
  createSignUpAttempt,
  EMAIL_ATTEMPT_TTL_MS,
  extendAttempt,
  type Attempt,
  type SignUpFields,
} from "@/lib/sign-in/attempts";
import { requestedFrom } from "@/lib/sign-in/requested-from";
import { getInstanceSettings, verificationEmailParts } from "@/lib/settings";
import { assertEmailSignUpEnabled, assertSignUpAllowed, findAccountByEmail } from "@/lib/users";
import {
  assertResendAllowed,
  chargeEmailSend,
  newVerificationSecrets,
  RESEND_COOLDOWN_MS,
  storeVerification,
  VERIFICATION_TTL_MS,
  type VerificationSecrets,
} from "@/lib/verification";

export type VerificationSent = {
  status: "needs_verification";
  attemptId: string;
  /** Seconds until a resend is allowed. */
  resendAfter: number;
  newClientToken: string | null;
};

export const confirmLinkUrl = (origin: string, token: string) =>
  `${origin}/sign-in/confirm?token=${encodeURIComponent(token)}`;

/**
 * Sign-up step "verification" (S2, S4): records the attempt (with the pending
 * password hash, if any) and emails a code + link. The user, the verified
 * address and the session only appear once the code or link comes back, in
 * the browser that asked (lib/sign-in/email-flow.ts).
 *
 * For an address that already has an account (a VERIFIED one: an unverified
 * row squats nothing) the answer is identical, but the owner gets a "you
 * already have an account" notice instead of a code (no enumeration, S10).
 */
export async function startVerifiedSignUp(
  input: SignUpFields & { email: string; redirectUrl?: string; clientToken: string | null },
  context: RequestContext,
): Promise<VerificationSent> {
  const now = context.now ?? new Date();
  // Every sign-up that verifies the address starts here (password, email code, OAuth without a vouched email).
  const invitation = input.invitationId ? { id: input.invitationId, emailNormalized: input.emailNormalized } : null;
  const settings = await getInstanceSettings();
  assertSignUpAllowed(input.emailNormalized, settings, invitation);
  // Issue 19: a typed address needs the email identifier on; an OAuth identity is its own switch.
  if (!input.external) assertEmailSignUpEnabled(settings);
  await assertResendAllowed({ identifier: input.emailNormalized, purpose: "sign_up" }, now);
  await chargeEmailSend(input.emailNormalized, "sign_up");
  const taken = Boolean(await findAccountByEmail(input.emailNormalized, { allowUnverifiedPrimary: false }));
  const secrets = newVerificationSecrets();
  // The "you already have an account" notice goes to the address as the account stored it.
  const to = taken ? input.emailNormalized : input.email.trim();
  const email = await renderSignUpEmail(to, taken, secrets, context.issuer, { ...context, createdAt: now });

  const { attemptId, newClientToken } = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = await createSignUpAttempt(
      tx,
      {
        client,
        emailNormalized: input.emailNormalized,
        // Never keep a password for an address we will not create.
        passwordHash: taken ? null : input.passwordHash,
        passwordCost: taken ? null : input.passwordCost,
        firstName: input.firstName,
        lastName: input.lastName,
        external: taken ? null : input.external,
        invitationId: taken ? null : input.invitationId,
        passkey: input.passkey,
        redirectUrl: input.redirectUrl,
        ttlMs: EMAIL_ATTEMPT_TTL_MS,
      },
      context,
    );
    await storeVerification(tx, secrets, { purpose: "sign_up", identifier: input.emailNormalized, attemptId }, now);
    await enqueueEmail(tx, email, now);
    return { attemptId, newClientToken: client.newClientToken };
  });
  kickOutbox();
  return { status: "needs_verification", attemptId, resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken };
}

/** Resend for a sign-up attempt of this browser (same attempt id, so the waiting tab keeps polling it). */
export async function resendSignUpEmail(attempt: Attempt, context: RequestContext): Promise<VerificationSent> {
  const now = context.now ?? new Date();
  await assertResendAllowed({ attemptId: attempt.id }, now);
  await chargeEmailSend(attempt.identifier, "sign_up");
  const taken = Boolean(await findAccountByEmail(attempt.identifier, { allowUnverifiedPrimary: false }));
  const secrets = newVerificationSecrets();
  const email = await renderSignUpEmail(attempt.identifier, taken, secrets, context.issuer, attempt);
  await db.$transaction(async (tx) => {
    await extendAttempt(tx, attempt, EMAIL_ATTEMPT_TTL_MS, now);
    await storeVerification(tx, secrets, { purpose: "sign_up", identifier: attempt.identifier, attemptId: attempt.id }, now);
    await enqueueEmail(tx, email, now);
  });
  kickOutbox();
  return { status: "needs_verification", attemptId: attempt.id, resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken: null };
}

/** Rendered before the transaction (lib/db.ts): the code and link come from `secrets`. */
async function renderSignUpEmail(
  to: string,
  taken: boolean,
  secrets: VerificationSecrets,
  issuer: string,
  startedBy: { userAgent: string | null; ip: string | null; createdAt: Date },
) {
  if (taken) {
    return prepareEmail(to, {
      template: "account_exists",
      signInUrl: `${issuer}/sign-in`,
      resetUrl: `${issuer}/forgot-password`,
    });
  }
  // Code, link or both (S8 verificationEmailContent); whichever is left out is refused when used.
  const parts = verificationEmailParts(await getInstanceSettings());
  return prepareEmail(to, {
    template: "sign_up_code",
    ...(parts.code ? { code: secrets.code } : {}),
    ...(parts.link ? { link: confirmLinkUrl(issuer, secrets.linkToken) } : {}),
    expiresInMinutes: VERIFICATION_TTL_MS / 60_000,
    requestedFrom: requestedFrom(startedBy),
  });
}

/**
 * A filled honeypot (S10): the answer a real sign-up would get when it waits
 * for its email, with an attempt that does not exist, so the sender learns
 * nothing. Without email verification a real sign-up would get a session,
 * which cannot be faked: then the answer is a plain failure.
 */
export function quietRefusal(emailVerificationAtSignUp: boolean): VerificationSent {
  if (!emailVerificationAtSignUp) throw new AppError("validation_failed", "We could not create the account. Try again.");
  return { status: "needs_verification", attemptId: newId("signUpAttempt"), resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken: null };
}
