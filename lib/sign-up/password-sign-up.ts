import "server-only";
import { db } from "@/lib/db";
import { honeypotTripped, screenSignUp, type HumanProof } from "@/lib/bot-protection";
import { assertPasswordPolicy, hashPassword } from "@/lib/password";
import { getInstanceSettings } from "@/lib/settings";
import { ensureClient, issueTokenForSession, type RequestContext, type StartedSession } from "@/lib/session";
import { createSignUpAttempt, finishSignUp, PASSWORD_ATTEMPT_TTL_MS } from "@/lib/sign-in/attempts";
import { assertEmailSignUpEnabled, assertSignUpAllowed, checkInvitationToken, normalizeEmail } from "@/lib/users";
import { quietRefusal, startVerifiedSignUp, type VerificationSent } from "./verified-sign-up";

export type SignUpResult = { status: "complete"; userId: string; session: StartedSession } | VerificationSent;

/**
 * Email + password sign-up (S2, S3): policy checked, password hashed off the
 * request thread. With email verification on (the default, S4) the account
 * waits for the emailed code or link (verified-sign-up.ts). With it off, the
 * attempt, the account (createUser) and the session are written in ONE
 * transaction, so a failure leaves nothing behind; the address stays
 * unverified (no ADMIN_EMAILS grant, no emailed sign-in codes until verified).
 */
export async function signUpWithPassword(
  input: {
    email: string;
    password: string;
    firstName?: string;
    lastName?: string;
    clientToken: string | null;
    redirectUrl?: string;
    /** The token of an admin's invitation (S8), from /sign-up?invitation=... */
    invitation?: string | null;
  } & HumanProof,
  context: RequestContext,
): Promise<SignUpResult> {
  const emailNormalized = normalizeEmail(input.email);
  const settings = await getInstanceSettings();
  // The sign-up policy (S8) before any work: the answer depends on the address and the settings only.
  const invitation = await checkInvitationToken(input.invitation, emailNormalized);
  assertSignUpAllowed(emailNormalized, settings, invitation);
  assertEmailSignUpEnabled(settings);
  await assertPasswordPolicy(input.password, {
    userInputs: [emailNormalized, emailNormalized.split("@")[0] ?? "", input.firstName ?? "", input.lastName ?? ""].filter(Boolean),
    minScore: settings.passwordMinScore,
    minLength: settings.passwordMinLength,
  });
  // Bot protection (S10) before the expensive hash: the honeypot, disposable domains, the solved challenge.
  if (await honeypotTripped(input, "sign_up", context)) return quietRefusal(settings.emailVerificationAtSignUp);
  await screenSignUp({ emailNormalized, proof: input }, settings, context);
  // Hashed even for a taken address, so both answers take the same time (S10).
  const { hash, cost } = await hashPassword(input.password);
  const fields = {
    emailNormalized,
    passwordHash: hash,
    passwordCost: cost,
    firstName: input.firstName,
    lastName: input.lastName,
    invitationId: invitation && "id" in invitation ? invitation.id : null,
  };

  if (settings.emailVerificationAtSignUp) {
    return startVerifiedSignUp(
      { ...fields, email: input.email, redirectUrl: input.redirectUrl, clientToken: input.clientToken },
      context,
    );
  }

  const created = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = await createSignUpAttempt(
      tx,
      { ...fields, client, redirectUrl: input.redirectUrl, ttlMs: PASSWORD_ATTEMPT_TTL_MS },
      context,
    );
    return finishSignUp(
      tx,
      { attempt: { kind: "sign_up", id: attemptId, clientId: client.clientId }, client, emailVerified: false, method: "password", settings },
      context,
    );
  });
  const session = await issueTokenForSession(created.opened, { userId: created.userId, role: created.role, emailVerified: false }, context);
  return { status: "complete", userId: created.userId, session };
}
