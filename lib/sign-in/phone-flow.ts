import "server-only";
import { db } from "@/lib/db";
import { honeypotTripped, recordClientFailure, requireHumanIfRisky, screenSignUp, type HumanProof } from "@/lib/bot-protection";
import { AppError } from "@/lib/errors";
import { kickOutbox } from "@/lib/email";
import { newId } from "@/lib/ids";
import { enforceRateLimit, RATE_LIMIT_RULES } from "@/lib/ratelimit";
import { secondFactorMethods, type SecondFactorMethods } from "@/lib/mfa";
import { assertSignInMethodEnabled } from "./methods";
import { getInstanceSettings, type InstanceSettings } from "@/lib/settings";
import { ensureClient, isKnownDeviceOf, issueTokenForSession, readKnownDevice, type RequestContext, type StartedSession } from "@/lib/session";
import { enqueueNoSms, enqueueSms, normalizePhoneNumber, prepareSms, type PreparedSms } from "@/lib/sms";
import { assertPhoneSignUpAllowed, findAccountByPhone } from "@/lib/users";
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
  type VerificationSecrets,
} from "@/lib/verification";
import {
  attemptGone,
  createSignInAttempt,
  createSignUpAttempt,
  EMAIL_ATTEMPT_TTL_MS,
  extendAttempt,
  finishSignIn,
  finishSignUp,
  isOpenAttempt,
  loadAttemptForBrowser,
  type Attempt,
} from "./attempts";
import type { ResetSent } from "./password-reset";

/**
 * The phone strategy of the sign-in attempt (issue 19): a 6-digit code by SMS
 * proves the number, as the emailed code proves an address (S4), with the
 * same rules: 10 min TTL, 5 wrong tries per code, 15 per hour per number
 * across resends, 30 s resend cooldown, 3 texts per 10 minutes and 20 per day
 * per number (lib/verification), and it completes only in the browser that
 * asked. Unknown numbers get the same answer after the same work, but no
 * text (S10). A sign-up proves the number the same way; the account is made
 * by the one createUser when the code comes back. On with the setting
 * `identifiers.phone`; texts go through the SMS provider of S6.
 */

export type PhoneIntent = "sign_in" | "sign_up";

export type PhoneCodeSent = { status: "sent"; attemptId: string; resendAfter: number; newClientToken: string | null };

export type PhoneFlowResult =
  | { status: "complete"; redirectUrl: string | null; session: StartedSession }
  | { status: "needs_second_factor"; attemptId: string; redirectUrl: string | null; methods: SecondFactorMethods };

export const PHONE_SIGN_IN_OFF_MESSAGE = "Signing in with a phone number is turned off here. Use another way to sign in.";

export function assertPhoneIdentifierEnabled(settings: Pick<InstanceSettings, "identifiers">): void {
  if (!settings.identifiers.phone) throw new AppError("forbidden", PHONE_SIGN_IN_OFF_MESSAGE, { fields: { phone: [PHONE_SIGN_IN_OFF_MESSAGE] } });
}

/** Every text sent at someone's request also counts against their IP (SMS pumping, lib/ratelimit/rules.ts). */
export async function chargeSmsToIp(ip: string | null): Promise<void> {
  if (ip) await enforceRateLimit(RATE_LIMIT_RULES.smsSendPerIp, ip, undefined, "Too many text messages from this network.");
}

const codeSms = (phone: string, template: "sign_in_code" | "sign_up_code" | "password_reset", secrets: VerificationSecrets): PreparedSms =>
  prepareSms(phone, { template, code: secrets.code, expiresInMinutes: VERIFICATION_TTL_MS / 60_000 });

/** POST /api/auth/phone/send: same answer, same work for known and unknown numbers (S10). */
export async function sendPhoneCode(
  input: { phone: string; intent: PhoneIntent; firstName?: string; lastName?: string; redirectUrl?: string; clientToken: string | null } & HumanProof,
  context: RequestContext,
): Promise<PhoneCodeSent> {
  const now = context.now ?? new Date();
  const settings = await getInstanceSettings();
  assertPhoneIdentifierEnabled(settings);
  if (input.intent === "sign_up") assertPhoneSignUpAllowed(settings);
  const phone = normalizePhoneNumber(input.phone);
  // Bot protection (S10), as for emailed codes: a filled honeypot gets the usual answer about an attempt
  // that does not exist (no text); a sign-up always needs a solved check, a sign-in code only on risk.
  if (await honeypotTripped(input, input.intent, context)) {
    return { status: "sent", attemptId: newId(input.intent === "sign_up" ? "signUpAttempt" : "signInAttempt"), resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken: null };
  }
  const account = await findAccountByPhone(phone);
  if (input.intent === "sign_up") await screenSignUp({ emailNormalized: null, proof: input }, settings, context);
  else {
    const knownDevice = isKnownDeviceOf(readKnownDevice(context.deviceToken), account?.user.id);
    // The key chargeSend counts this number's sign-in texts under.
    await requireHumanIfRisky(input, { action: "phone_code", identifierKey: `sign_in:${phone}`, knownDevice, settings }, context);
  }
  await assertResendAllowed({ identifier: phone, purpose: input.intent }, now);
  await chargeSend(phone, input.intent, "sms");
  await chargeSmsToIp(context.ip);
  const secrets = newVerificationSecrets();
  // Rendered before the transaction (lib/db.ts). A sign-up for a number that has an account texts
  // the owner "you already have an account" instead of a code; the screen says the same either way.
  const sms =
    input.intent === "sign_in"
      ? codeSms(phone, "sign_in_code", secrets)
      : account
        ? prepareSms(phone, { template: "account_exists", signInUrl: `${context.issuer}/sign-in` })
        : codeSms(phone, "sign_up_code", secrets);

  const { attemptId, newClientToken } = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId =
      input.intent === "sign_in"
        ? await createSignInAttempt(
            tx,
            { client, identifier: phone, userId: account?.user.id ?? null, redirectUrl: input.redirectUrl, ttlMs: EMAIL_ATTEMPT_TTL_MS },
            context,
          )
        : await createSignUpAttempt(
            tx,
            {
              client,
              emailNormalized: "",
              phone,
              firstName: input.firstName,
              lastName: input.lastName,
              redirectUrl: input.redirectUrl,
              ttlMs: EMAIL_ATTEMPT_TTL_MS,
            },
            context,
          );
    await storeVerification(tx, secrets, { purpose: input.intent, identifier: phone, attemptId }, now);
    // The verification exists either way (same cooldown, same answer); only a known number gets a sign-in code.
    if (input.intent === "sign_up" || account) await enqueueSms(tx, sms, now);
    else await enqueueNoSms(tx);
    return { attemptId, newClientToken: client.newClientToken };
  });
  kickOutbox();
  return { status: "sent", attemptId, resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken };
}

/** A new code for the same attempt: a text like any other (30 s cooldown, the number's send budget). */
export async function resendPhoneCode(input: { attemptId: string; clientToken: string | null }, context: RequestContext): Promise<PhoneCodeSent> {
  const now = context.now ?? new Date();
  const attempt = await phoneAttempt(input.attemptId, input.clientToken);
  assertPhoneIdentifierEnabled(await getInstanceSettings());
  await assertResendAllowed({ attemptId: attempt.id }, now);
  const purpose = attempt.kind;
  await chargeSend(attempt.identifier, purpose, "sms");
  await chargeSmsToIp(context.ip);
  const account = await findAccountByPhone(attempt.identifier);
  const secrets = newVerificationSecrets();
  const sms =
    attempt.kind === "sign_in"
      ? codeSms(attempt.identifier, "sign_in_code", secrets)
      : account
        ? prepareSms(attempt.identifier, { template: "account_exists", signInUrl: `${context.issuer}/sign-in` })
        : codeSms(attempt.identifier, "sign_up_code", secrets);
  await db.$transaction(async (tx) => {
    await extendAttempt(tx, attempt, EMAIL_ATTEMPT_TTL_MS, now);
    await storeVerification(tx, secrets, { purpose, identifier: attempt.identifier, attemptId: attempt.id }, now);
    if (attempt.kind === "sign_up" || attempt.userId) await enqueueSms(tx, sms, now);
    else await enqueueNoSms(tx);
  });
  kickOutbox();
  return { status: "sent", attemptId: attempt.id, resendAfter: RESEND_COOLDOWN_MS / 1000, newClientToken: null };
}

/** POST /api/auth/phone/verify-code: the code is typed in the browser that asked for it. */
export async function verifyPhoneCode(
  input: { attemptId: string; code: string; clientToken: string | null },
  context: RequestContext,
): Promise<PhoneFlowResult> {
  const now = context.now ?? new Date();
  const attempt = await phoneAttempt(input.attemptId, input.clientToken);
  const settings = await getInstanceSettings();
  assertPhoneIdentifierEnabled(settings);
  const verification = await latestForAttempt(attempt.id);
  if (!verification) throw new AppError("verification_expired", "This code has expired. Request a new one.");
  await checkCode(verification, input.code.trim(), now).catch(async (error: unknown) => {
    // Wrong codes from one client are a risk signal for its next sends and sign-ins (S10).
    if (error instanceof AppError && error.code === "verification_incorrect") await recordClientFailure(context);
    throw error;
  });

  // The browser proved it owns the attempt's client: the session opens on that client.
  const client = { clientId: attempt.clientId, newClientToken: null };
  const user = attempt.kind === "sign_in" && attempt.userId ? await db.user.findUnique({ where: { id: attempt.userId } }) : null;
  // Unknown number: no text was sent, so nobody can hold this code. Answer like a wrong code.
  if (attempt.kind === "sign_in" && !user) {
    throw new AppError("verification_incorrect", "That code is incorrect.", { fields: { code: ["That code is incorrect."] } });
  }
  const outcome = await db.$transaction(async (tx) => {
    await consumeVerification(tx, verification.id, now);
    if (attempt.kind === "sign_up") {
      const done = await finishSignUp(tx, { attempt, client, emailVerified: false, method: "phone_code", settings }, context);
      return { status: "complete" as const, ...done };
    }
    return finishSignIn(tx, { attempt, user: user!, factor: "phone_code", client, verifiedEmail: null, settings }, context);
  });
  if (outcome.status === "needs_second_factor") {
    return { status: "needs_second_factor", attemptId: attempt.id, redirectUrl: attempt.redirectUrl, methods: await secondFactorMethods(user!.id) };
  }
  const session = await issueTokenForSession(outcome.opened, { userId: outcome.userId, role: outcome.role }, context);
  return { status: "complete", redirectUrl: attempt.redirectUrl, session };
}

/** An open phone attempt of this browser; an email attempt never completes by an SMS code. */
async function phoneAttempt(attemptId: string, clientToken: string | null): Promise<Attempt> {
  const attempt = await loadAttemptForBrowser(attemptId, clientToken);
  if (attempt.channel !== "phone") throw attemptGone();
  if (!isOpenAttempt(attempt)) throw new AppError("verification_used", "This code has already been used.");
  return attempt;
}

/**
 * Forgot password by SMS (S3, issue 19): the same reset as by email (verify
 * the code with `verifyPasswordReset`, then `completePasswordReset`), the
 * code texted to a verified number. Same answer for unknown numbers (S10).
 */
export async function sendPasswordResetSms(input: { phone: string } & HumanProof, context: RequestContext): Promise<ResetSent> {
  const now = context.now ?? new Date();
  const settings = await getInstanceSettings();
  assertSignInMethodEnabled(settings, "password");
  assertPhoneIdentifierEnabled(settings);
  const phone = normalizePhoneNumber(input.phone);
  const account = await findAccountByPhone(phone);
  // Bot protection (S10): near the send limits, a stranger meets a challenge; the owner's device does not.
  const knownDevice = isKnownDeviceOf(readKnownDevice(context.deviceToken), account?.user.id);
  await requireHumanIfRisky(
    input,
    { action: "phone_password_reset", identifierKey: `reset_password:${phone}`, knownDevice, settings },
    context,
  );
  await assertResendAllowed({ identifier: phone, purpose: "reset_password" }, now);
  await chargeSend(phone, "reset_password", "sms");
  await chargeSmsToIp(context.ip);
  const secrets = newVerificationSecrets();
  const sms = codeSms(phone, "password_reset", secrets);
  await db.$transaction(async (tx) => {
    await storeVerification(tx, secrets, { purpose: "reset_password", identifier: phone, userId: account?.user.id ?? null }, now);
    if (account) await enqueueSms(tx, sms, now);
    else await enqueueNoSms(tx);
  });
  kickOutbox();
  return { status: "sent", resetId: secrets.id, resendAfter: RESEND_COOLDOWN_MS / 1000 };
}
