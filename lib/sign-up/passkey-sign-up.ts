import "server-only";
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { db } from "@/lib/db";
import { honeypotTripped, screenSignUp, type HumanProof } from "@/lib/bot-protection";
import { AppError } from "@/lib/errors";
import { passkeySignUpRegistrationOptions, storePasskey, verifyPasskeySignUpRegistration } from "@/lib/passkeys";
import { getInstanceSettings, passkeySignUpEnabled, type InstanceSettings } from "@/lib/settings";
import { issueTokenForSession, type RequestContext, type StartedSession } from "@/lib/session";
import { attemptGone, finishSignUp, loadAttemptForBrowser, type Attempt } from "@/lib/sign-in/attempts";
import { assertSignUpAllowed, checkInvitationToken, normalizeEmail } from "@/lib/users";
import { quietRefusal, startVerifiedSignUp, type VerificationSent } from "./verified-sign-up";

/**
 * Sign-up with a passkey instead of a password (S13), an instance setting:
 *
 *   1. `startPasskeySignUp`: the sign-up attempt (marked `passkey`, no
 *      password) and the emailed code + link, as for every verified sign-up;
 *   2. the code or link proves the address (lib/sign-in/email-flow.ts): the
 *      attempt moves to `needs_passkey` with the id the account will get, and
 *      still no account exists;
 *   3. `passkeySignUpOptions`: registration options for that id (the passkey's
 *      user handle), the challenge bound to the attempt;
 *   4. `finishPasskeySignUp`: the passkey verified, ONE transaction makes the
 *      account (`createUser` through `finishSignUp`, no password), stores the
 *      passkey and opens the first session. A refused passkey leaves nothing.
 *
 * The email is verified first even with verification at sign-up turned off:
 * a passkey proves a device, not an address.
 */

export const PASSKEY_SIGN_UP_OFF_MESSAGE = "Signing up with a passkey is turned off here. Choose a password instead.";

function assertPasskeySignUpEnabled(settings: Pick<InstanceSettings, "passkeySignIn" | "passkeySignUp">): void {
  if (!passkeySignUpEnabled(settings)) throw new AppError("forbidden", PASSKEY_SIGN_UP_OFF_MESSAGE);
}

export async function startPasskeySignUp(
  input: {
    email: string;
    firstName?: string;
    lastName?: string;
    clientToken: string | null;
    redirectUrl?: string;
    /** The token of an admin's invitation (S8). */
    invitation?: string | null;
  } & HumanProof,
  context: RequestContext,
): Promise<VerificationSent> {
  const emailNormalized = normalizeEmail(input.email);
  const settings = await getInstanceSettings();
  assertPasskeySignUpEnabled(settings);
  const invitation = await checkInvitationToken(input.invitation, emailNormalized);
  assertSignUpAllowed(emailNormalized, settings, invitation);
  // Bot protection (S10): every self-service sign-up.
  if (await honeypotTripped(input, "sign_up", context)) return quietRefusal(true);
  await screenSignUp({ emailNormalized, proof: input }, settings, context);
  return startVerifiedSignUp(
    {
      email: input.email,
      emailNormalized,
      firstName: input.firstName,
      lastName: input.lastName,
      invitationId: invitation && "id" in invitation ? invitation.id : null,
      passkey: true,
      redirectUrl: input.redirectUrl,
      clientToken: input.clientToken,
    },
    context,
  );
}

/** The attempt of this browser that waits for its passkey; anything else is refused. */
async function loadPasskeyStep(attemptId: string, clientToken: string | null, now: Date): Promise<Attempt & { userId: string }> {
  const attempt = await loadAttemptForBrowser(attemptId, clientToken);
  if (attempt.kind !== "sign_up" || !attempt.passkey) throw attemptGone();
  if (attempt.status === "needs_verification") {
    throw new AppError("conflict", "Verify your email address first: enter the code from the email or open its link.");
  }
  if (attempt.status !== "needs_passkey" || !attempt.userId) throw new AppError("verification_used", "This sign-up has already been completed.");
  if (attempt.expiresAt <= now) throw new AppError("verification_expired", "This sign-up has expired. Start again.");
  return { ...attempt, userId: attempt.userId };
}

/** Step 3: options for `startRegistration`, for the account-to-be. */
export async function passkeySignUpOptions(
  input: { attemptId: string; clientToken: string | null },
  context: RequestContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const now = context.now ?? new Date();
  assertPasskeySignUpEnabled(await getInstanceSettings());
  const attempt = await loadPasskeyStep(input.attemptId, input.clientToken, now);
  const names = await db.signUpAttempt.findUniqueOrThrow({ where: { id: attempt.id }, select: { firstName: true, lastName: true } });
  return passkeySignUpRegistrationOptions(
    {
      attemptId: attempt.id,
      userId: attempt.userId,
      email: attempt.identifier,
      displayName: [names.firstName, names.lastName].filter(Boolean).join(" "),
    },
    context,
  );
}

export type PasskeySignUpResult = { status: "complete"; userId: string; redirectUrl: string | null; session: StartedSession };

/** Step 4: the passkey verified, the account, its passkey and its first session, all at once. */
export async function finishPasskeySignUp(
  input: { attemptId: string; response: RegistrationResponseJSON; clientToken: string | null },
  context: RequestContext,
): Promise<PasskeySignUpResult> {
  const now = context.now ?? new Date();
  const settings = await getInstanceSettings();
  assertPasskeySignUpEnabled(settings);
  const attempt = await loadPasskeyStep(input.attemptId, input.clientToken, now);
  const credential = await verifyPasskeySignUpRegistration({ attemptId: attempt.id, response: input.response }, context);
  // The browser proved it holds the attempt's client: the session opens on that client.
  const client = { clientId: attempt.clientId, newClientToken: null };
  const created = await db.$transaction(async (tx) => {
    const done = await finishSignUp(tx, { attempt, step: "passkey", client, emailVerified: true, method: "passkey", settings }, context);
    await storePasskey(tx, { userId: done.userId, credential }, context);
    return done;
  });
  const session = await issueTokenForSession(created.opened, { userId: created.userId, role: created.role, emailVerified: true }, context);
  return { status: "complete", userId: created.userId, redirectUrl: attempt.redirectUrl, session };
}
