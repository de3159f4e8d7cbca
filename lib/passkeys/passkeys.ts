import "server-only";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { db, type Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { newId } from "@/lib/ids";
import { recordAuditEvent } from "@/lib/audit";
import { requireRecentVerification, type Verifier } from "@/lib/mfa";
import { getInstanceSettings } from "@/lib/settings";
import { getUserProfile } from "@/lib/users";
import { authenticatorName } from "./authenticators";
import type { PasskeySummary } from "./types";
import {
  authenticationOptions,
  checkAssertion,
  consumeChallenge,
  refused,
  registrationOptions as webauthnRegistrationOptions,
  storeChallenge,
  verifyRegistration,
  type NewPasskeyCredential,
  type PasskeyContext,
} from "./webauthn";

export type { PasskeySummary, PasskeyContext, NewPasskeyCredential };
export { relyingParty, PASSKEY_CHALLENGE_TTL_MS } from "./webauthn";

/**
 * Passkeys (WebAuthn, S7): discoverable, user-verified credentials that sign
 * in on their own (first factor, counting as two). The ceremonies and the
 * challenge store are in ./webauthn (shared with security keys, which are a
 * second factor only and live in MfaFactor, never in this table).
 */

const NAME_MAX = 64;

const summary = (row: {
  id: string;
  name: string;
  aaguid: string | null;
  deviceType: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}): PasskeySummary => ({
  id: row.id,
  name: row.name,
  authenticator: authenticatorName(row.aaguid),
  deviceType: row.deviceType,
  backedUp: row.backedUp,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});

// --- registration ---------------------------------------------------------------------

/** Options for `startRegistration` of a new passkey: discoverable (sign in without typing an address) and user-verified (two factors). */
function registrationOptions(
  user: { id: string; name: string; displayName: string; existing: { credentialId: string; transports: string[] }[] },
  context: PasskeyContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return webauthnRegistrationOptions(user, { residentKey: "required", userVerification: "required" }, context);
}

/** Stores a verified credential (public key only) for `userId`, audited `passkey.added`, in the caller's transaction. */
export async function storePasskey(
  tx: Tx,
  input: { userId: string; credential: NewPasskeyCredential; name?: string | null },
  context: PasskeyContext,
): Promise<PasskeySummary> {
  const now = context.now ?? new Date();
  const { credential } = input;
  const name = input.name?.trim().slice(0, NAME_MAX) || authenticatorName(credential.aaguid) || defaultName(credential.backedUp);
  const taken = await tx.passkey.findUnique({ where: { credentialId: credential.credentialId }, select: { id: true } });
  if (taken) throw new AppError("conflict", "This passkey is already registered.");
  const row = await tx.passkey.create({
    data: {
      id: newId("passkey"),
      userId: input.userId,
      credentialId: credential.credentialId,
      publicKey: Buffer.from(credential.publicKey),
      counter: BigInt(credential.counter),
      transports: credential.transports,
      deviceType: credential.deviceType,
      backedUp: credential.backedUp,
      name,
      aaguid: credential.aaguid === "00000000-0000-0000-0000-000000000000" ? null : credential.aaguid,
      createdAt: now,
    },
  });
  await recordAuditEvent(
    { type: "passkey.added", actorId: input.userId, targetId: input.userId, ip: context.ip, userAgent: context.userAgent, data: { passkeyId: row.id, name } },
    tx,
  );
  return summary(row);
}

/** Step 1 of adding a passkey: options for `startRegistration`. Needs a recent verification. */
export async function startPasskeyRegistration(
  verifier: Verifier,
  context: PasskeyContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const now = context.now ?? new Date();
  if (!(await getInstanceSettings()).passkeySignIn) throw new AppError("forbidden", "Passkeys are turned off here.");
  await requireRecentVerification(verifier, now);
  const user = await getUserProfile(verifier.userId);
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  const existing = await db.passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  const options = await registrationOptions(
    {
      id: user.id,
      name: user.email ?? user.id,
      displayName: [user.firstName, user.lastName].filter(Boolean).join(" ") || (user.email ?? ""),
      existing,
    },
    context,
  );
  await storeChallenge(options.challenge, { purpose: "registration", userId: user.id }, now);
  return options;
}

/** Step 2: the authenticator's response is verified and the credential stored (public key only). */
export async function finishPasskeyRegistration(
  verifier: Verifier,
  input: { response: RegistrationResponseJSON; name?: string | null },
  context: PasskeyContext,
): Promise<PasskeySummary> {
  const now = context.now ?? new Date();
  await requireRecentVerification(verifier, now);
  const expectedChallenge = await consumeChallenge(input.response.response.clientDataJSON, { purpose: "registration", userId: verifier.userId }, now);
  const credential = await verifyRegistration(input.response, expectedChallenge, context);
  return db.$transaction((tx) => storePasskey(tx, { userId: verifier.userId, credential, name: input.name }, { ...context, now }));
}

// --- sign-up with a passkey (S13) -------------------------------------------------------

/**
 * Options for a passkey sign-up's passkey: the account does not exist yet;
 * `userId` is the id it will get (chosen when the email was verified), so
 * the passkey's user handle names it. The challenge belongs to the attempt.
 */
export async function passkeySignUpRegistrationOptions(
  input: { attemptId: string; userId: string; email: string; displayName: string },
  context: PasskeyContext,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const now = context.now ?? new Date();
  const options = await registrationOptions(
    { id: input.userId, name: input.email, displayName: input.displayName || input.email, existing: [] },
    context,
  );
  await storeChallenge(options.challenge, { purpose: "sign_up", attemptId: input.attemptId }, now);
  return options;
}

/** A passkey sign-up's registration response, checked against its attempt's challenge (single use) and this relying party. */
export async function verifyPasskeySignUpRegistration(
  input: { attemptId: string; response: RegistrationResponseJSON },
  context: PasskeyContext,
): Promise<NewPasskeyCredential> {
  const now = context.now ?? new Date();
  const expectedChallenge = await consumeChallenge(input.response.response.clientDataJSON, { purpose: "sign_up", attemptId: input.attemptId }, now);
  return verifyRegistration(input.response, expectedChallenge, context);
}

const defaultName = (backedUp: boolean) => (backedUp ? "Synced passkey" : "Passkey");

// --- authentication -------------------------------------------------------------------

/** Options for `startAuthentication` (discoverable: no address, no credential list), bound to a sign-in attempt. */
export async function passkeyAuthenticationOptions(
  attemptId: string,
  context: PasskeyContext,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return authenticationOptions({ userVerification: "required" }, { purpose: "authentication", attemptId }, context);
}

export type VerifiedPasskey = { passkeyId: string; userId: string; userVerified: boolean };

/**
 * Checks a sign-in assertion against the attempt's challenge and the stored
 * credential. The user is the credential's owner, and the authenticator's user
 * handle must name that same user. A counter that does not grow is a cloned
 * authenticator: refused and audited. Only the Passkey table is searched: a
 * security key (MfaFactor) never signs anyone in as a first factor.
 */
export async function verifyPasskeyAssertion(
  input: { attemptId: string; response: AuthenticationResponseJSON },
  context: PasskeyContext,
): Promise<VerifiedPasskey> {
  const now = context.now ?? new Date();
  const expectedChallenge = await consumeChallenge(input.response.response.clientDataJSON, { purpose: "authentication", attemptId: input.attemptId }, now);
  const passkey = await db.passkey.findUnique({ where: { credentialId: input.response.id } });
  if (!passkey) throw refused();
  const userHandle = input.response.response.userHandle;
  if (userHandle && Buffer.from(userHandle, "base64url").toString("utf8") !== passkey.userId) throw refused();

  const { newCounter, userVerified, backedUp, counterRegressed } = await checkAssertion(
    { response: input.response, expectedChallenge, credential: passkey, requireUserVerification: true },
    context,
  );
  if (counterRegressed) {
    await recordAuditEvent({
      type: "passkey.counter_regression",
      targetId: passkey.userId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { passkeyId: passkey.id, storedCounter: Number(passkey.counter), receivedCounter: newCounter },
    });
    throw refused();
  }
  // Conditional on the counter read above: of two concurrent uses of one signature counter, one wins.
  const { count } = await db.passkey.updateMany({
    where: { id: passkey.id, counter: passkey.counter },
    data: { counter: BigInt(newCounter), backedUp, lastUsedAt: now },
  });
  if (count !== 1) throw refused();
  return { passkeyId: passkey.id, userId: passkey.userId, userVerified };
}

// --- management -----------------------------------------------------------------------

export async function listPasskeys(userId: string): Promise<PasskeySummary[]> {
  const rows = await db.passkey.findMany({ where: { userId }, orderBy: { createdAt: "asc" } });
  return rows.map(summary);
}

export async function renamePasskey(input: { userId: string; passkeyId: string; name: string }): Promise<PasskeySummary> {
  const name = input.name.trim().slice(0, NAME_MAX);
  if (!name) throw new AppError("validation_failed", "Give the passkey a name.", { fields: { name: ["Give the passkey a name."] } });
  const { count } = await db.passkey.updateMany({ where: { id: input.passkeyId, userId: input.userId }, data: { name } });
  if (count !== 1) throw new AppError("not_found", "That passkey does not exist.");
  return summary(await db.passkey.findUniqueOrThrow({ where: { id: input.passkeyId } }));
}

/**
 * Removes a passkey; never the last way to sign in. By the user, or by an
 * admin (`actorId`, S8: e.g. a lost or cloned authenticator), audited either way.
 */
export async function removePasskey(
  input: { userId: string; passkeyId: string },
  context: { ip: string | null; userAgent: string | null; actorId?: string },
): Promise<void> {
  const actorId = context.actorId ?? input.userId;
  const { emailCodeSignIn, emailLinkSignIn, identifiers } = await getInstanceSettings();
  const emailSignIn = emailCodeSignIn || emailLinkSignIn;
  await db.$transaction(async (tx) => {
    const passkey = await tx.passkey.findFirst({ where: { id: input.passkeyId, userId: input.userId } });
    if (!passkey) throw new AppError("not_found", "That passkey does not exist.");
    if (!(await hasOtherWayToSignIn(tx, input.userId, { emailSignIn, phoneSignIn: identifiers.phone, exceptPasskeyId: passkey.id }))) {
      throw new AppError(
        "conflict",
        actorId === input.userId
          ? "This is your only way to sign in. Set a password or add another passkey first."
          : "This passkey is the user's only way to sign in, so it cannot be removed.",
      );
    }
    await tx.passkey.delete({ where: { id: passkey.id } });
    await recordAuditEvent(
      {
        type: "passkey.removed",
        actorId,
        targetId: input.userId,
        ip: context.ip,
        userAgent: context.userAgent,
        data: { passkeyId: passkey.id, name: passkey.name, ...(actorId !== input.userId ? { by: "admin" } : {}) },
      },
      tx,
    );
  });
}

/**
 * A password (with an address or a verified number to type), a verified address (when email
 * sign-in is on), a verified phone number (when phone numbers are on, issue 19), a connected
 * account or another passkey.
 */
export async function hasOtherWayToSignIn(
  tx: Tx,
  userId: string,
  options: { emailSignIn: boolean; phoneSignIn?: boolean; exceptPasskeyId?: string; exceptExternalAccountId?: string },
): Promise<boolean> {
  const [user, passkeys, external, verifiedEmails, emails, verifiedPhones] = await Promise.all([
    tx.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } }),
    tx.passkey.count({ where: { userId, ...(options.exceptPasskeyId ? { id: { not: options.exceptPasskeyId } } : {}) } }),
    tx.externalAccount.count({ where: { userId, ...(options.exceptExternalAccountId ? { id: { not: options.exceptExternalAccountId } } : {}) } }),
    options.emailSignIn ? tx.emailAddress.count({ where: { userId, verified: true } }) : 0,
    tx.emailAddress.count({ where: { userId } }),
    options.phoneSignIn ? tx.phoneNumber.count({ where: { userId, verified: true } }) : 0,
  ]);
  // A phone-only account's password needs its number to be typed with.
  const password = Boolean(user.passwordHash) && emails + verifiedPhones > 0;
  return password || passkeys + external + verifiedEmails + verifiedPhones > 0;
}
