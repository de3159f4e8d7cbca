import "server-only";
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { passkeyAuthenticationOptions, PASSKEY_CHALLENGE_TTL_MS, verifyPasskeyAssertion } from "@/lib/passkeys";
import { getInstanceSettings } from "@/lib/settings";
import { ensureClient, issueTokenForSession, type RequestContext, type StartedSession } from "@/lib/session";
import { createSignInAttempt, finishSignIn, loadAttemptForBrowser } from "./attempts";
import { assertSignInMethodEnabled } from "./methods";

export type PasskeySignInStart = { attemptId: string; options: PublicKeyCredentialRequestOptionsJSON; newClientToken: string | null };

/**
 * The passkey strategy of the sign-in attempt (S2, S7), step 1: an attempt
 * for this browser, with no address (the authenticator names the account),
 * open as long as its challenge (5 minutes).
 */
export async function startPasskeySignIn(
  input: { clientToken: string | null; redirectUrl?: string | null },
  context: RequestContext,
): Promise<PasskeySignInStart> {
  assertSignInMethodEnabled(await getInstanceSettings(), "passkey");
  const { attemptId, newClientToken } = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    const attemptId = await createSignInAttempt(
      tx,
      { client, identifier: null, userId: null, redirectUrl: input.redirectUrl, ttlMs: PASSKEY_CHALLENGE_TTL_MS },
      context,
    );
    return { attemptId, newClientToken: client.newClientToken };
  });
  return { attemptId, options: await passkeyAuthenticationOptions(attemptId, context), newClientToken };
}

/**
 * Step 2: the signed challenge. A verified passkey is a complete sign-in; it
 * was user-verified (required), so it satisfies MFA too (`finishSignIn`).
 */
export async function finishPasskeySignIn(
  input: { attemptId: string; response: AuthenticationResponseJSON; clientToken: string | null },
  context: RequestContext,
): Promise<{ status: "complete"; attemptId: string; session: StartedSession }> {
  const settings = await getInstanceSettings();
  assertSignInMethodEnabled(settings, "passkey");
  const attempt = await loadAttemptForBrowser(input.attemptId, input.clientToken);
  const verified = await verifyPasskeyAssertion({ attemptId: attempt.id, response: input.response }, context);
  if (!verified.userVerified) throw new AppError("invalid_credentials", "This passkey could not be verified.");
  const user = await db.user.findUniqueOrThrow({
    where: { id: verified.userId },
    select: { id: true, role: true, banned: true, mfaEnabled: true, primaryEmailAddressId: true },
  });
  const primary = user.primaryEmailAddressId
    ? await db.emailAddress.findUnique({ where: { id: user.primaryEmailAddressId }, select: { emailNormalized: true, verified: true } })
    : null;

  const outcome = await db.$transaction(async (tx) => {
    const client = await ensureClient(tx, input.clientToken, context.userAgent);
    return finishSignIn(
      tx,
      {
        attempt: { kind: "sign_in", id: attempt.id, clientId: attempt.clientId },
        user,
        factor: "passkey",
        client,
        verifiedEmail: primary?.verified ? primary.emailNormalized : null,
        settings,
      },
      context,
    );
  });
  if (outcome.status !== "complete") throw new AppError("conflict", "This sign-in needs another step.");
  const session = await issueTokenForSession(outcome.opened, { userId: user.id, role: outcome.role, emailVerified: primary?.verified ?? false }, context);
  return { status: "complete", attemptId: outcome.attemptId, session };
}
