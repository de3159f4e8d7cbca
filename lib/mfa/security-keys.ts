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
import {
  authenticationOptions,
  checkAssertion,
  consumeChallenge,
  registrationOptions,
  storeChallenge,
  verifyRegistration,
  type PasskeyContext,
} from "@/lib/passkeys/webauthn";
import { getInstanceSettings } from "@/lib/settings";
import { getUserProfile } from "@/lib/users";
import { emitUserUpdated } from "@/lib/webhooks/events";
import { removeFactors, turnOnMfa } from "./factors";
import { requireRecentVerification, type Verifier } from "./recent-verification";
import type { SecurityKeySummary } from "./security-key-types";

export type { SecurityKeySummary };

/**
 * Security keys as a second factor (issue 19, S6): a WebAuthn credential that
 * is NOT a passkey. Registered non-discoverable and without user verification
 * (any FIDO key; a platform authenticator works too), it only ever proves the
 * second step after a first factor, with the user's own keys as
 * `allowCredentials`. It is an MfaFactor row (type "security_key"), never a
 * Passkey row, so passkey sign-in cannot find it and it counts wherever
 * second factors count (MFA on/off, backup codes, admin reset). The WebAuthn
 * ceremonies and challenge store are the passkeys' (lib/passkeys/webauthn).
 */

export const SECURITY_KEY_DEFAULT_NAME = "Security key";
const NAME_MAX = 64;
const TYPE = "security_key";

/** A key's challenge belongs to a sign-in attempt (second factor) or to a user (step-up). */
export type SecurityKeyChallengeOwner = { purpose: "second_factor"; attemptId: string } | { purpose: "step_up"; userId: string };

type Actor = { ip: string | null; userAgent: string | null; now?: Date };

const summary = (row: { id: string; name: string | null; createdAt: Date; lastUsedAt: Date | null }): SecurityKeySummary => ({
  id: row.id,
  name: row.name ?? SECURITY_KEY_DEFAULT_NAME,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});

/** The user's confirmed keys as `allowCredentials` / `excludeCredentials` descriptors. */
async function credentialsOf(userId: string) {
  const rows = await db.mfaFactor.findMany({
    where: { userId, type: TYPE, confirmedAt: { not: null }, credentialId: { not: null } },
    select: { credentialId: true, transports: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => ({ credentialId: row.credentialId!, transports: row.transports }));
}

/** S8 `securityKeySecondFactor`: off refuses new keys; keys already added keep verifying and can be removed. */
async function assertEnrolmentAllowed(): Promise<void> {
  if (!(await getInstanceSettings()).securityKeySecondFactor) {
    throw new AppError("forbidden", "Security keys are not enabled on this instance.");
  }
}

// --- enrolment -----------------------------------------------------------------------

/** Step 1 of adding a security key: options for `startRegistration`. Needs a recent verification. */
export async function startSecurityKeyRegistration(verifier: Verifier, context: PasskeyContext): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const now = context.now ?? new Date();
  await assertEnrolmentAllowed();
  await requireRecentVerification(verifier, now);
  const user = await getUserProfile(verifier.userId);
  if (!user) throw new AppError("unauthenticated", "Sign in to continue.");
  const options = await registrationOptions(
    {
      id: user.id,
      name: user.email ?? user.id,
      displayName: [user.firstName, user.lastName].filter(Boolean).join(" ") || (user.email ?? ""),
      // The same key twice would be one factor counted as two.
      existing: await credentialsOf(user.id),
    },
    // A second factor: no resident credential (keys have few slots), no PIN asked.
    { residentKey: "discouraged", userVerification: "discouraged" },
    context,
  );
  await storeChallenge(options.challenge, { purpose: "security_key_registration", userId: user.id }, now);
  return options;
}

/**
 * Step 2: the key's answer is verified and stored (public key only) as a
 * confirmed factor; the first factor turns MFA on and returns the backup
 * codes (shown once), exactly as an authenticator app does.
 */
export async function finishSecurityKeyRegistration(
  verifier: Verifier,
  input: { response: RegistrationResponseJSON; name?: string | null },
  context: PasskeyContext,
): Promise<{ securityKey: SecurityKeySummary; backupCodes: string[] | null }> {
  const now = context.now ?? new Date();
  await assertEnrolmentAllowed();
  await requireRecentVerification(verifier, now);
  const expectedChallenge = await consumeChallenge(
    input.response.response.clientDataJSON,
    { purpose: "security_key_registration", userId: verifier.userId },
    now,
  );
  const credential = await verifyRegistration(input.response, expectedChallenge, context, { requireUserVerification: false });
  const name = input.name?.trim().slice(0, NAME_MAX) || SECURITY_KEY_DEFAULT_NAME;
  const userId = verifier.userId;
  return db.$transaction(async (tx) => {
    const [asKey, asPasskey] = await Promise.all([
      tx.mfaFactor.findUnique({ where: { credentialId: credential.credentialId }, select: { id: true } }),
      tx.passkey.findUnique({ where: { credentialId: credential.credentialId }, select: { id: true } }),
    ]);
    if (asKey || asPasskey) throw new AppError("conflict", "This security key is already registered.");
    const row = await tx.mfaFactor.create({
      data: {
        id: newId("mfaFactor"),
        userId,
        type: TYPE,
        name,
        credentialId: credential.credentialId,
        publicKey: Buffer.from(credential.publicKey),
        counter: BigInt(credential.counter),
        transports: credential.transports,
        aaguid: credential.aaguid === "00000000-0000-0000-0000-000000000000" ? null : credential.aaguid,
        confirmedAt: now,
        createdAt: now,
      },
    });
    const backupCodes = await turnOnMfa(tx, userId, now);
    await recordAuditEvent(
      { type: "mfa.enrolled", actorId: userId, targetId: userId, ip: context.ip, userAgent: context.userAgent, data: { factor: TYPE, factorId: row.id, name } },
      tx,
    );
    await emitUserUpdated(tx, userId, now);
    return { securityKey: summary(row), backupCodes };
  });
}

// --- management ------------------------------------------------------------------------

export async function listSecurityKeys(userId: string): Promise<SecurityKeySummary[]> {
  const rows = await db.mfaFactor.findMany({ where: { userId, type: TYPE, confirmedAt: { not: null } }, orderBy: { createdAt: "asc" } });
  return rows.map(summary);
}

export async function renameSecurityKey(input: { userId: string; securityKeyId: string; name: string }, actor: Actor): Promise<SecurityKeySummary> {
  const name = input.name.trim().slice(0, NAME_MAX);
  if (!name) throw new AppError("validation_failed", "Give the security key a name.", { fields: { name: ["Give the security key a name."] } });
  return db.$transaction(async (tx) => {
    const { count } = await tx.mfaFactor.updateMany({ where: { id: input.securityKeyId, userId: input.userId, type: TYPE }, data: { name } });
    if (count !== 1) throw new AppError("not_found", "That security key does not exist.");
    await recordAuditEvent(
      { type: "mfa.renamed", actorId: input.userId, targetId: input.userId, ip: actor.ip, userAgent: actor.userAgent, data: { factor: TYPE, factorId: input.securityKeyId, name } },
      tx,
    );
    return summary(await tx.mfaFactor.findUniqueOrThrow({ where: { id: input.securityKeyId } }));
  });
}

/** Removes one key (needs a recent verification); the last factor turns MFA off as removing the authenticator app does. */
export async function removeSecurityKey(verifier: Verifier, input: { securityKeyId: string }, actor: Actor): Promise<{ mfaStillOn: boolean }> {
  await requireRecentVerification(verifier, actor.now);
  return removeFactors(verifier.userId, TYPE, actor, input.securityKeyId);
}

// --- proving it (sign-in second factor, step-up) -----------------------------------------

/** Options for `startAuthentication` with the user's keys as `allowCredentials`, the challenge bound to `owner`. */
export async function securityKeyAuthenticationOptions(
  userId: string,
  owner: SecurityKeyChallengeOwner,
  context: PasskeyContext,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const allowCredentials = await credentialsOf(userId);
  if (allowCredentials.length === 0) throw new AppError("not_found", "This account has no security key set up.");
  return authenticationOptions({ allowCredentials, userVerification: "discouraged" }, owner, context);
}

/** A verified assertion of one of the user's keys, not yet spent (see `spendSecurityKeyUse`). */
export type SecurityKeyProof = { factorId: string; storedCounter: bigint; newCounter: number };

/**
 * Checks an assertion against the challenge `owner` holds (single use: a
 * replayed or foreign challenge throws `verification_used`) and the user's
 * own keys. Null when the key is not one of theirs or its signature is wrong
 * (the caller counts that as a failed second factor); a counter that did not
 * grow (a cloned key) is audited and null too.
 */
export async function proveSecurityKey(
  userId: string,
  response: AuthenticationResponseJSON,
  owner: SecurityKeyChallengeOwner,
  context: PasskeyContext,
): Promise<SecurityKeyProof | null> {
  const now = context.now ?? new Date();
  const expectedChallenge = await consumeChallenge(response.response.clientDataJSON, owner, now);
  const key = await db.mfaFactor.findFirst({ where: { userId, type: TYPE, confirmedAt: { not: null }, credentialId: response.id } });
  if (!key?.credentialId || !key.publicKey) return null;
  const userHandle = response.response.userHandle;
  if (userHandle && Buffer.from(userHandle, "base64url").toString("utf8") !== userId) return null;
  const storedCounter = key.counter ?? BigInt(0);
  let checked;
  try {
    checked = await checkAssertion(
      {
        response,
        expectedChallenge,
        credential: { credentialId: key.credentialId, publicKey: key.publicKey, counter: storedCounter, transports: key.transports },
        requireUserVerification: false,
      },
      context,
    );
  } catch (error) {
    if (error instanceof AppError && error.code === "invalid_credentials") return null;
    throw error;
  }
  if (checked.counterRegressed) {
    await recordAuditEvent({
      type: "security_key.counter_regression",
      targetId: userId,
      ip: context.ip,
      userAgent: context.userAgent,
      data: { factorId: key.id, storedCounter: Number(storedCounter), receivedCounter: checked.newCounter },
    });
    return null;
  }
  return { factorId: key.id, storedCounter, newCounter: checked.newCounter };
}

/** Spends a proof in the caller's transaction: of two uses of one signature counter, one wins. */
export async function spendSecurityKeyUse(tx: Tx, proof: SecurityKeyProof, now: Date): Promise<void> {
  const { count } = await tx.mfaFactor.updateMany({
    where: { id: proof.factorId, counter: proof.storedCounter },
    data: { counter: BigInt(proof.newCounter), lastUsedAt: now },
  });
  if (count !== 1) throw new AppError("verification_used", "This security key response was already used. Try again.");
}
